using Newtonsoft.Json.Linq;
using OpenCvSharp;
using TorchSharp;
using VimDense.Config;
using VimDense.Datasets;
using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Synthetic;
using VimDense.Datasets.Transforms;
using VimDense.Datasets.Visual;
using VimDense.Engine;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Cli.Experiments;

/// <summary>
/// A segmentation experiment from a config: builds the model (seeded, pretrained backbone loaded), the data
/// (generating the synthetic set when the config asks for it), the optimizer and schedule, and runs training,
/// evaluation and prediction for the train / eval / predict commands.
/// </summary>
internal sealed class SegmentationExperiment
{
    private SegmentationExperiment(ExperimentConfig config, string configPath, string workDir)
    {
        Config = config;
        ConfigPath = configPath;
        WorkDir = workDir;
    }

    public ExperimentConfig Config { get; }
    public string ConfigPath { get; }
    public string WorkDir { get; }

    public static SegmentationExperiment Load(string configPath, IEnumerable<string>? overrides, string? workDir)
    {
        var config = ConfigLoader.Load(configPath, overrides);
        SegmentorBuilder.Validate(config.Model);
        config.Test.Bind<InferenceOptions>();
        var dir = workDir ?? config.WorkDir ?? Path.Combine("work_dirs", Path.GetFileNameWithoutExtension(configPath));
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        return new SegmentationExperiment(config, configPath, Path.GetFullPath(dir));
    }

    public EncoderDecoder BuildModel(bool loadPretrained)
    {
        torch.manual_seed(Config.Seed);
        var model = SegmentorBuilder.Build(Config.Model);
        var pretrained = Config.Model.Backbone.Pretrained;
        if (loadPretrained && !string.IsNullOrEmpty(pretrained))
        {
            if (!File.Exists(pretrained)) throw new FileNotFoundException($"model.backbone.pretrained: {pretrained} not found");
            var report = model.Backbone.Load(pretrained, Config.Model.Backbone.StrictLoad);
            Console.Error.WriteLine($"pretrained {pretrained}: {report}");
        }
        return model;
    }

    /// <summary>Generates the synthetic data set when configured and absent; checks the class count.</summary>
    public void PrepareData() =>
        ExperimentData.Prepare(Config, "ADE20K", SyntheticAde20kWriter.Write, "ADEChallengeData2016 layout", Ade20kClasses.Count);

    public Ade20kDataset Dataset(string split, bool train)
    {
        var d = Config.Data;
        var options = new SegmentationPipelineOptions
        {
            Scale = (d.Scale[0], d.Scale[1]),
            RatioRange = (d.RatioRange[0], d.RatioRange[1]),
            CropSize = (d.CropSize[0], d.CropSize[1]),
            CatMaxRatio = d.CatMaxRatio,
            FlipProbability = d.FlipProbability,
            PhotoMetricDistortion = d.PhotoMetricDistortion,
            IgnoreIndex = (byte)Config.Model.IgnoreIndex,
            Normalize = new NormalizeOptions(d.Mean.ToArray(), d.Std.ToArray()),
        };
        ISegmentationPipeline pipeline = train ? new SegmentationTrainPipeline(options) : new SegmentationTestPipeline(options);
        return new Ade20kDataset(d.Root, pipeline, new Ade20kOptions { Split = DataSetup.Ade20kSplit(split), NumClasses = Config.Model.NumClasses });
    }

    public InferenceOptions Inference => Config.Test.Bind<InferenceOptions>();

    public Trainer<SegmentationBatch> CreateTrainer(EncoderDecoder model, IResumableBatchSource<SegmentationBatch> data, Func<IReadOnlyDictionary<string, double>>? evaluate)
    {
        var optimizer = TrainingSetup.Optimizer(Config, model);
        var schedule = TrainingSetup.Schedule(Config);
        var options = TrainingSetup.TrainerOptions(Config, WorkDir, keyMetric: "mIoU");
        return new Trainer<SegmentationBatch>(model, optimizer, schedule, options, batch =>
        {
            var (losses, accuracy) = model.Loss(batch.Images, batch.Labels);
            var scalars = losses.Where(kv => kv.Key != "loss").ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>());
            scalars["acc_seg"] = accuracy;
            return new TrainStepResult(losses["loss"], scalars);
        }, data, evaluate);
    }

    public DataLoaderOptions TrainLoaderOptions()
    {
        var d = Config.Data;
        var accumulation = Math.Max(1, Config.Optimizer.AccumulationSteps);
        if (d.BatchSize % accumulation != 0)
            throw new UserInputException($"data.batch_size {d.BatchSize} is not divisible by optimizer.accumulation_steps {accumulation}");
        return new DataLoaderOptions { BatchSize = d.BatchSize / accumulation, Workers = d.Workers, Prefetch = d.Prefetch, Seed = Config.Seed };
    }

    /// <summary>
    /// mIoU over the validation split (first <paramref name="maxImages"/> when > 0). Optionally writes label PNGs
    /// (train ids) to <paramref name="predictionsDir"/> and the first <paramref name="overlays"/> overlays to <paramref name="overlayDir"/>.
    /// </summary>
    public SegmentationMetricResult Evaluate(EncoderDecoder model, int maxImages, string? predictionsDir = null, int overlays = 0, string? overlayDir = null)
    {
        var dataset = Dataset(Config.Data.ValSplit, train: false);
        var metric = new SegmentationMetric(Config.Model.NumClasses, Config.Model.IgnoreIndex);
        var limit = maxImages > 0 ? Math.Min(maxImages, dataset.Count) : dataset.Count;
        var inference = Inference;
        var wasTraining = model.training;
        model.eval();
        using var loader = DataSetup.SegmentationLoader(dataset, new DataLoaderOptions { BatchSize = 1, Workers = 1, Prefetch = 2 }, train: false);
        for (var index = 0; index < limit && loader.Next() is { } batch; index++)
        {
            using (batch)
            using (var scope = NewDisposeScope())
            {
                var info = batch.Samples[0];
                var image = batch.Images[.., .., ..info.ContentHeight, ..info.ContentWidth];
                var scores = model.Predict(image, info.OriginalHeight, info.OriginalWidth, inference);
                var prediction = scores.argmax(1)[0].to(ScalarType.Byte).contiguous().data<byte>().ToArray();
                var label = batch.Labels[0].to(ScalarType.Byte).contiguous().data<byte>().ToArray();
                metric.Add(prediction, label);
                if (predictionsDir is not null)
                {
                    Directory.CreateDirectory(predictionsDir);
                    SegmentationPng.Write(Path.Combine(predictionsDir, info.Name + ".png"), prediction, info.OriginalHeight, info.OriginalWidth);
                }
                if (overlayDir is not null && index < overlays)
                    WriteOverlay(Path.Combine(overlayDir, info.Name + ".png"), dataset.Files(index).Image, prediction, info.OriginalHeight, info.OriginalWidth);
            }
        }
        if (wasTraining) model.train();
        return metric.Compute(SyntheticInfo.ClassNames(Config.Data.Root) ?? Ade20kClasses.Names.Take(Config.Model.NumClasses).ToList());
    }

    public static void WriteOverlay(string path, string imagePath, byte[] prediction, int height, int width)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var bgr = ImageFiles.ReadColor(imagePath);
        using var overlay = OverlayRenderer.Segmentation(bgr, prediction, height, width);
        Cv2.ImWrite(path, overlay);
    }

    public static Dictionary<string, double> Summary(SegmentationMetricResult result) =>
        new() { ["mIoU"] = result.MIoU, ["mAcc"] = result.MAcc, ["aAcc"] = result.AAcc };

    public static JObject MetricsJson(SegmentationMetricResult result, string checkpoint) =>
        new() { ["checkpoint"] = checkpoint, ["metrics"] = result.ToJson() };
}
