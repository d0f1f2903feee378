using TorchSharp;
using VimDense.Backbones;
using VimDense.Config;
using VimDense.Datasets;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Synthetic;
using VimDense.Datasets.Transforms;
using VimDense.Engine;
using VimDense.Engine.Distributed;
using VimDense.Engine.Logging;
using VimDense.Heads.Detection;
using VimDense.Heads.Necks;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// A detection experiment (config task "detection"): backbone → SimpleFeaturePyramid → Cascade Mask R-CNN, COCO-layout
/// data with the LSJ training pipeline and the shortest-edge test pipeline, the shared trainer (best checkpoint by
/// bbox AP) and COCO evaluation of the validation split from the results files it writes.
/// </summary>
public sealed class DetectionExperiment : TaskExperiment<CascadeMaskRcnn, DetectionBatch>
{
    /// <summary>The metric the best checkpoint is chosen by.</summary>
    public const string KeyMetric = "bbox_AP";

    internal DetectionExperiment(ExperimentConfig config, string configPath, string workDir) : base(config, configPath, workDir)
    {
        // Bad component sections fail at load, naming the key and its origin, before any data or model is built.
        DetectorBuilder.Validate(config.Model);
        _ = Data;
        PipelineOptions();
        _ = TestOptions;
        _ = TestRun;
        // bf16 detection training crashed inside libtorch (c10::Scalar::toFloat, around iteration 45): refused until that is understood.
        if (config.Train.Precision != Precision.Fp32 || TestRun.Precision != Precision.Fp32)
            throw new UserInputException($"train.precision is {Precisions.Name(config.Train.Precision)}, test.precision {Precisions.Name(TestRun.Precision)}: detection runs in fp32 only for now (bf16/fp16 are for segmentation configs)");
    }

    /// <summary>The config's test section as the detector's test options (its split and format-only keys aside).</summary>
    public DetectionTestOptions TestOptions => Config.Test.Bind<DetectionTestOptions>(ConfigBinding.KeysOf<TestRunOptions>());

    public override TestRunOptions TestRun => TestRunOptions.Of<DetectionTestOptions>(Config.Test);

    /// <summary>Whether the ROI heads predict masks (model.roi_heads.masks).</summary>
    public bool Masks => DetectorBuilder.RoiHeads(Config.Model).Masks;

    private DatasetClasses? classes;

    public override CascadeMaskRcnn BuildModel(bool loadPretrained = true)
    {
        _ = Classes;
        torch.manual_seed(Config.Seed);
        var model = DetectorBuilder.Build(Config.Model);
        if (loadPretrained) LoadPretrained(model.Backbone);
        return DevicePlacement.MoveModule(model, Device);
    }

    public override void PrepareData()
    {
        ExperimentData.Prepare(Data, "COCO", SyntheticCocoWriter.Write, "COCO layout annotations/, train2017/, val2017/");
        classes = null; // read them from the files now present
        _ = Classes;
    }

    /// <summary>
    /// The data set's classes: the categories of the validation (else training) instances file sorted by id, train id k
    /// being the k-th (results map back to the file's ids); without either file, a synthetic set's
    /// (data.synthetic.classes), else COCO's 80. model.num_classes is checked against them (set from them when "auto";
    /// without a file it must be a number).
    /// </summary>
    public DatasetClasses Classes => classes ??= ResolveClasses();

    private DatasetClasses ResolveClasses()
    {
        var data = Data;
        foreach (var key in new[] { "classes", "classes_file" })
            if (Config.Data.Json.ContainsKey(key))
                throw new UserInputException($"data.{key} (from {Config.Data.DescribeOrigin(key)}): a COCO file names its classes in 'categories'; remove data.{key}");
        var palette = ExperimentData.Palette(Config, data);
        var file = new[] { data.ValSplit, data.TrainSplit }.Select(AnnotationFile).FirstOrDefault(File.Exists);
        var found = file is not null ? DatasetClasses.FromCoco(file, CocoJsonReader.ReadInstances(file, includeSegmentation: false).Categories, palette)
            : data.Synthetic is { } s ? DatasetClasses.Of(CocoClasses.Categories.Take(s.Classes).Select(c => c.Name).ToList(),
                "the synthetic COCO-format set's class names (data.synthetic.classes)", palette, CocoClasses.Categories.Take(s.Classes).Select(c => (long)c.Id).ToList())
            : null;
        ExperimentData.ResolveNumClasses(Config, found, $"no instances file was found at {AnnotationFile(data.ValSplit)} or {AnnotationFile(data.TrainSplit)}");
        var count = Config.Model.NumClasses!.Value;
        return found ?? (count == CocoClasses.Categories.Count
            ? DatasetClasses.Of(CocoClasses.Categories.Select(c => c.Name).ToList(), "COCO's class list", palette, CocoClasses.Categories.Select(c => (long)c.Id).ToList())
            : DatasetClasses.Of(Enumerable.Range(0, count).Select(k => $"class_{k}").ToList(), "model.num_classes", palette));
    }

    /// <summary>annotations/instances_&lt;split&gt;.json under data.root.</summary>
    private string AnnotationFile(string split) => Path.Combine(Data.Root, "annotations", $"instances_{DataSetup.CocoSplit(split)}.json");

    /// <summary>The data set and loader part of the config's data section (its other keys are <see cref="PipelineOptions"/>).</summary>
    public override DataConfig Data => Config.Data.Bind<DataConfig>(ConfigBinding.KeysOf<DetectionPipelineOptions>());

    /// <summary>The pipeline options the config's data section describes (used by training, evaluation, prediction and `show`).</summary>
    public DetectionPipelineOptions PipelineOptions() => Config.Data.Bind<DetectionPipelineOptions>(ConfigBinding.KeysOf<DataConfig>());

    /// <summary>The LSJ training (augmenting) or the shortest-edge test pipeline.</summary>
    public IDetectionPipeline Pipeline(bool train) =>
        train ? new LsjTrainPipeline(PipelineOptions()) : new DetectionTestPipeline(PipelineOptions());

    /// <summary>A split of the COCO-layout data set at data.root (or <paramref name="root"/>) through the training or test pipeline.</summary>
    /// <remarks>Its categories must be <see cref="Classes"/>' (the training and validation files must agree).</remarks>
    public CocoDataset Dataset(string split, bool train, string? root = null) =>
        Checked(CocoDataset.Open(root ?? Data.Root, DataSetup.CocoSplit(split), Pipeline(train), forTraining: train,
            skipBadSamples: train && Data.OnBadSample == BadSamplePolicy.Skip, maxImagePixels: Data.MaxImagePixels));

    private CocoDataset Checked(CocoDataset dataset)
    {
        var ids = dataset.Annotations.Categories.Select(c => c.Id).ToList();
        if (Classes.CategoryIds is { } expected && !ids.SequenceEqual(expected))
            throw new UserInputException($"{dataset.Annotations.Path}: category ids [{string.Join(", ", ids)}] differ from those of {Classes.Source} [{string.Join(", ", expected)}]");
        return dataset;
    }

    /// <summary>The class names in train-id order (<see cref="Classes"/>; <paramref name="dataset"/>'s categories are the same).</summary>
    public IReadOnlyList<string> ClassNames(CocoDataset? dataset = null) => Classes.Names;

    public override IResumableBatchSource<DetectionBatch> TrainData()
    {
        var trainSet = Dataset(Data.TrainSplit, train: true);
        if (trainSet.MissingImages > 0)
            Console.Error.WriteLine($"data: {trainSet.MissingImages} training image(s) whose file is missing skipped (data.on_bad_sample=skip)");
        return new LoaderBatchSource<DetectionSample, DetectionBatch>(
            o => DataSetup.DetectionLoader(trainSet, o, train: true, PipelineOptions().SquareSize, Masks), TrainLoaderOptions());
    }

    public override Trainer<DetectionBatch> CreateTrainer(CascadeMaskRcnn model, IResumableBatchSource<DetectionBatch> data,
        Func<IReadOnlyDictionary<string, double>>? evaluate) =>
        CreateTrainer(model, data, evaluate, Device);

    private Trainer<DetectionBatch> CreateTrainer(CascadeMaskRcnn model, IResumableBatchSource<DetectionBatch> data,
        Func<IReadOnlyDictionary<string, double>>? evaluate, Device device) =>
        new(model, TrainingSetup.Optimizer(Config, model), TrainingSetup.Schedule(Config), TrainingSetup.TrainerOptions(Config, WorkDir, KeyMetric), batch =>
        {
            var losses = model.Losses(DevicePlacement.OnDevice(batch.Images, device), DetectionBatchAdapter.ImageSizes(batch),
                DetectionBatchAdapter.Targets(batch, Masks, device));
            var total = losses.Values.Aggregate((a, b) => a + b);
            var scalars = losses.ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>());
            return new TrainStepResult(total, scalars);
        }, data, evaluate);

    protected override IEvaluation Validate(CascadeMaskRcnn model) => Evaluate(model, Data.ValMaxImages, Path.Combine(WorkDir, "eval"), ProcessGroups.Current);

    protected override IReadOnlyList<string> WriteOverlays(CascadeMaskRcnn model, int count, string dir)
    {
        var dataset = Dataset(Data.ValSplit, train: false);
        var predictor = new DetectionPredictor(this, model, ClassNames(dataset));
        var written = new List<string>();
        for (var i = 0; i < Math.Min(count, dataset.Count); i++)
        {
            var name = Path.GetFileNameWithoutExtension(dataset.ImageInfo(i).FileName);
            var (image, groundTruth) = dataset.LoadRaw(i);
            using (image) predictor.WriteComparison(image, groundTruth, name, Path.Combine(dir, name + ".png"));
            written.Add(Path.Combine(dir, name + ".png"));
        }
        return written;
    }

    protected override string Describe() => $"{Config.Model.Backbone.Type} + {Config.Model.Neck.Type} + cascade_mask_rcnn";

    /// <summary>
    /// bbox (and segm) AP of a checkpoint; the results files and metrics.json go to <paramref name="outDir"/>
    /// (default: &lt;work dir&gt;/eval).
    /// </summary>
    public override DetectionEvaluation Evaluate(string checkpoint, bool ema = false, int maxImages = 0, string? outDir = null)
    {
        var model = LoadModel(checkpoint, ema);
        var dir = Path.GetFullPath(outDir ?? Path.Combine(WorkDir, "eval"));
        var result = Evaluate(model, maxImages > 0 ? maxImages : Data.ValMaxImages, dir, progress: true);
        File.WriteAllText(Path.Combine(dir, "metrics.json"), result.ToJson(checkpoint).ToString());
        return result;
    }

    /// <summary>
    /// Detects on the validation split (first <paramref name="maxImages"/> when > 0), writes results_bbox.json (and
    /// results_segm.json with masks) to <paramref name="outDir"/> and scores them against the ground truth of the
    /// evaluated images, reading the files back as `vimdense cocoeval` does. With <paramref name="ranks"/> (call it on
    /// every rank), rank r detects on images r, r + W, …, the results are gathered and every rank scores them all
    /// (rank 0 writes to <paramref name="outDir"/>, the others to a temporary folder). With <paramref name="progress"/>,
    /// a progress line (images, ETA, it/s) on stderr.
    /// </summary>
    public DetectionEvaluation Evaluate(CascadeMaskRcnn model, int maxImages, string outDir, IProcessGroup? ranks = null, bool progress = false)
    {
        var full = Dataset(Data.ValSplit, train: false);
        var categoryIds = full.Annotations.Categories.Select(c => c.Id).ToList();
        var fullLimit = maxImages > 0 ? Math.Min(maxImages, full.Count) : full.Count;
        var (rank, size) = (ranks?.Rank ?? 0, ranks?.Size ?? 1);
        IDataset<DetectionSample> dataset = size == 1 ? full : new StridedDataset<DetectionSample>(full, rank, size, fullLimit);
        var limit = size == 1 ? fullLimit : dataset.Count;
        var (results, imageIds) = Detect(model, dataset, limit, categoryIds, progress);
        if (size > 1)
        {
            var order = Enumerable.Range(0, fullLimit).Select(i => full.ImageInfo(i).Id).ToList();
            results = GatheredCocoResults.Gather(ranks!, results, order);
            imageIds = [.. order];
            if (rank != 0) outDir = Path.Combine(Path.GetTempPath(), $"vimdense-eval-rank{rank}-{Environment.ProcessId}");
        }
        var groundTruth = Path.Combine(Data.Root, "annotations", $"instances_{DataSetup.CocoSplit(Data.ValSplit)}.json");
        if (rank == 0) return DetectionEvaluation.Score(groundTruth, imageIds, results, Masks, outDir);
        try
        {
            return DetectionEvaluation.Score(groundTruth, imageIds, results, Masks, outDir);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true); // the other ranks' copies of rank 0's results files
        }
    }

    /// <summary>
    /// Format-only (test.format_only, `eval --format-only`; COCO test-dev): detects on every image that test.ann_file
    /// (default annotations/instances_&lt;test.split&gt;.json; an image-info file without annotations will do) lists in
    /// &lt;root&gt;/&lt;test.split&gt;/ and writes results_bbox.json (and results_segm.json) to <paramref name="outDir"/>
    /// with the file's category ids, as the evaluation server takes them; nothing is scored.
    /// </summary>
    public override FormatOnlyOutputs FormatResults(string checkpoint, string outDir, bool ema = false, int maxImages = 0)
    {
        var split = DataSetup.CocoSplit(TestRun.Split ?? Data.ValSplit);
        var annFile = TestRun.AnnFile is { } given ? Path.Combine(Data.Root, given) : Path.Combine(Data.Root, "annotations", $"instances_{split}.json");
        if (!File.Exists(annFile))
            throw new FileNotFoundException($"{annFile}: the image list of test.split '{split}' not found (set test.ann_file, relative to data.root, e.g. annotations/image_info_test-dev2017.json)", annFile);
        var dataset = Checked(new CocoDataset(CocoAnnotationFile.Load(annFile), Path.Combine(Data.Root, split), Pipeline(train: false), forTraining: false,
            maxImagePixels: Data.MaxImagePixels));
        var model = LoadModel(checkpoint, ema);
        var limit = maxImages > 0 ? Math.Min(maxImages, dataset.Count) : dataset.Count;
        var (results, _) = Detect(model, dataset, limit, dataset.Annotations.Categories.Select(c => c.Id).ToList(), progress: true);
        Directory.CreateDirectory(outDir);
        var paths = new List<string> { Path.Combine(outDir, "results_bbox.json") };
        CocoResultsWriter.Write(paths[0], results, includeBoxes: true, includeMasks: false);
        if (Masks)
        {
            paths.Add(Path.Combine(outDir, "results_segm.json"));
            CocoResultsWriter.Write(paths[1], results, includeBoxes: false, includeMasks: true);
        }
        return new FormatOnlyOutputs(limit, paths);
    }

    /// <summary>The COCO results (class k as <paramref name="categoryIds"/>[k], the data set file's ids) of the first <paramref name="limit"/> images of <paramref name="dataset"/>, and their image ids.</summary>
    private (List<CocoAnnotation> Results, HashSet<long> ImageIds) Detect(CascadeMaskRcnn model, IDataset<DetectionSample> dataset, int limit,
        IReadOnlyList<long> categoryIds, bool progress)
    {
        var results = new List<CocoAnnotation>();
        var imageIds = new HashSet<long>();
        var device = DevicePlacement.DeviceOf(model);
        var wasTraining = model.training;
        model.eval();
        // A rank may have no image (fewer images than ranks): it still joins the gathering below.
        using (var loader = limit > 0 ? DataSetup.DetectionLoader(dataset, new DataLoaderOptions { BatchSize = 1, Workers = 1, Prefetch = 2 }, train: false, PipelineOptions().SquareSize) : null)
        {
            var bar = progress ? new ProgressBar(limit, 0) : null;
            for (var index = 0; index < limit && loader!.Next() is { } batch; index++, bar?.Report(index, ""))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    var detections = model.Predict(DevicePlacement.OnDevice(batch.Images, device), DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.OriginalSizes(batch));
                    for (var i = 0; i < batch.Count; i++)
                    {
                        imageIds.Add(batch.Samples[i].ImageId);
                        var sample = batch.Samples[i];
                        results.AddRange(CocoDetectionResults.From(sample.ImageId, sample.OriginalHeight, sample.OriginalWidth,
                            DetectionExport.ToPlain(detections[i]), categoryIds));
                    }
                }
            }
            bar?.Finish();
        }
        if (wasTraining) model.train();
        return (results, imageIds);
    }
}
