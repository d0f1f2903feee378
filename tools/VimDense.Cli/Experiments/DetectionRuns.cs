using VimDense.Config;
using VimDense.Heads.Detection;
using VimDense.Engine;

namespace VimDense.Cli.Experiments;

/// <summary>What `vimdense train`, `eval` and `predict` do for a config whose task is detection.</summary>
internal static class DetectionRuns
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    /// <summary>
    /// Trains, evaluating periodically (best checkpoint by bbox AP), and leaves in the work directory the
    /// checkpoints, log.jsonl, eval/results_{bbox,segm}.json, metrics.json / metrics.txt, loss_curve.png and overlays.
    /// </summary>
    public static int Train(DetectionExperiment experiment, bool resume)
    {
        var cfg = experiment.Config;
        experiment.PrepareData();
        Directory.CreateDirectory(experiment.WorkDir);
        File.WriteAllText(Path.Combine(experiment.WorkDir, "config.json"), ConfigLoader.Serialize(cfg));
        var model = experiment.BuildModel(loadPretrained: !resume);
        Console.Error.WriteLine($"model: {cfg.Model.Backbone.Type} + {cfg.Model.Neck.Type} + cascade_mask_rcnn, {model.parameters().Sum(p => p.numel()):N0} parameters; work dir {experiment.WorkDir}");
        var trainSet = experiment.Dataset(cfg.Data.TrainSplit, train: true);
        using var data = experiment.TrainData(trainSet);
        var evalDir = Path.Combine(experiment.WorkDir, "eval");
        DetectionEvaluation? last = null;
        var trainer = experiment.CreateTrainer(model, data, () =>
        {
            last = experiment.Evaluate(model, cfg.Data.ValMaxImages, evalDir);
            return last.Summary();
        });
        trainer.Run(resume);

        var result = last ?? experiment.Evaluate(model, cfg.Data.ValMaxImages, evalDir);
        WriteOverlays(experiment, model, cfg.Train.OverlayImages, Path.Combine(experiment.WorkDir, "overlays"));
        var checkpoint = trainer.LastCheckpoint ?? "";
        File.WriteAllText(Path.Combine(experiment.WorkDir, "metrics.json"), result.ToJson(checkpoint).ToString());
        File.WriteAllText(Path.Combine(experiment.WorkDir, "metrics.txt"), result.FormatTables());
        LossCurvePlot.Write(Path.Combine(experiment.WorkDir, "loss_curve.png"),
            TrainingLog.ReadSeries(Path.Combine(experiment.WorkDir, "log.jsonl"), "train", "loss"), "training loss");
        Console.WriteLine(result.FormatTables());
        Console.WriteLine($"checkpoint: {checkpoint}");
        if (trainer.BestCheckpoint is not null) Console.WriteLine($"best checkpoint: {trainer.BestCheckpoint}");
        Console.WriteLine($"work dir: {experiment.WorkDir}");
        return 0;
    }

    /// <summary>bbox and segm AP tables of a checkpoint on the validation split; results JSON (and metrics.json) in <paramref name="outDir"/>.</summary>
    public static int Eval(DetectionExperiment experiment, string checkpoint, bool ema, int maxImages, string? outDir)
    {
        var model = experiment.BuildModel(loadPretrained: false);
        CheckpointStore.LoadModelWeights(checkpoint, model, ema);
        var dir = Path.GetFullPath(outDir ?? Path.Combine(experiment.WorkDir, "eval"));
        var result = experiment.Evaluate(model, maxImages > 0 ? maxImages : experiment.Config.Data.ValMaxImages, dir);
        File.WriteAllText(Path.Combine(dir, "metrics.json"), result.ToJson(checkpoint).ToString());
        Console.WriteLine(result.FormatTables());
        Console.WriteLine($"results: {result.BboxResultsPath}" + (result.SegmResultsPath is null ? "" : $", {result.SegmResultsPath}"));
        return 0;
    }

    /// <summary>Overlay PNGs (masks, boxes, class names of detections scoring at least <paramref name="scoreThreshold"/>) for a folder of images.</summary>
    public static int Predict(DetectionExperiment experiment, string checkpoint, string imagesDir, string outDir, double? scoreThreshold)
    {
        if (!Directory.Exists(imagesDir)) throw new DirectoryNotFoundException($"--images: {imagesDir} not found");
        var files = Directory.GetFiles(imagesDir).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order().ToList();
        if (files.Count == 0) throw new UserInputException($"--images: no .jpg/.png images in {imagesDir}");
        var model = experiment.BuildModel(loadPretrained: false);
        CheckpointStore.LoadModelWeights(checkpoint, model);
        var predictor = new DetectionPredictor(model, experiment.PipelineOptions(), experiment.ClassNames(), scoreThreshold ?? experiment.Config.Test.Bind<DetectionTestOptions>().OverlayScoreThreshold);
        foreach (var file in files)
        {
            var path = Path.Combine(outDir, Path.GetFileNameWithoutExtension(file) + "_overlay.png");
            var count = predictor.WriteOverlay(file, path);
            Console.WriteLine($"{Path.GetFileNameWithoutExtension(file)}\t{count}\t{path}");
        }
        return 0;
    }

    private static void WriteOverlays(DetectionExperiment experiment, Heads.Detection.CascadeMaskRcnn model, int count, string dir)
    {
        if (count <= 0) return;
        var dataset = experiment.Dataset(experiment.Config.Data.ValSplit, train: false);
        var predictor = new DetectionPredictor(model, experiment.PipelineOptions(), experiment.ClassNames(dataset), experiment.Config.Test.Bind<DetectionTestOptions>().OverlayScoreThreshold);
        for (var i = 0; i < Math.Min(count, dataset.Count); i++)
        {
            var file = Path.Combine(dataset.ImageDir, dataset.ImageInfo(i).FileName);
            predictor.WriteOverlay(file, Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".png"));
        }
    }
}
