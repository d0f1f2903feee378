using VimDense.Config;
using VimDense.Datasets;
using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Synthetic;
using VimDense.Datasets.Transforms;
using VimDense.Engine;
using VimDense.Engine.Distributed;
using VimDense.Engine.Logging;
using VimDense.Heads.Segmentation;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// A segmentation experiment (config task "segmentation"): backbone → neck → decode (and auxiliary) head, an
/// ADE20K-layout data set with the config's training and test pipelines, the shared trainer (best checkpoint by mIoU)
/// and mIoU evaluation of the validation split.
/// </summary>
public sealed class SegmentationExperiment : TaskExperiment<EncoderDecoder, SegmentationBatch>
{
    /// <summary>The metric the best checkpoint is chosen by.</summary>
    public const string KeyMetric = "mIoU";

    internal SegmentationExperiment(ExperimentConfig config, string configPath, string workDir) : base(config, configPath, workDir)
    {
        // Bad component sections fail at load, naming the key and its origin, before any data or model is built.
        SegmentorBuilder.Validate(config.Model);
        _ = Data;
        PipelineOptions();
        _ = Inference;
        _ = TestRun;
    }

    private DatasetClasses? classes;

    public override EncoderDecoder BuildModel(bool loadPretrained = true)
    {
        _ = Classes;
        manual_seed(Config.Seed);
        var model = SegmentorBuilder.Build(Config.Model);
        if (loadPretrained) LoadPretrained(model.Backbone);
        return DevicePlacement.MoveModule(model, Device);
    }

    public override void PrepareData()
    {
        ExperimentData.Prepare(Data, "ADE20K", SyntheticAde20kWriter.Write, "ADEChallengeData2016 layout");
        classes = null; // a just-generated set may name its classes (synthetic.json)
        _ = Classes;
    }

    /// <summary>
    /// The data set's classes, checked against model.num_classes (which is set from them when "auto"): data.classes,
    /// else data.classes_file, else the names a VimDense synthetic set records (root/synthetic.json), else ADE20K's
    /// first data.synthetic.classes names, else ADE20K's 150.
    /// </summary>
    public DatasetClasses Classes => classes ??= ResolveClasses();

    private DatasetClasses ResolveClasses()
    {
        var data = Data;
        var palette = ExperimentData.Palette(Config, data);
        if (data.Classes is not null && data.ClassesFile is not null)
            throw new UserInputException($"data.classes (from {Config.Data.DescribeOrigin("classes")}) and data.classes_file (from {Config.Data.DescribeOrigin("classes_file")}): set one of them");
        var found = data.Classes is { } names ? DatasetClasses.Of(names, $"data.classes (from {Config.Data.DescribeOrigin("classes")})", palette)
            : data.ClassesFile is { } file ? DatasetClasses.FromFile(file, palette)
            : SyntheticInfo.ClassNames(data.Root) is { } recorded ? DatasetClasses.Of(recorded, $"the class names recorded in {Path.Combine(data.Root, "synthetic.json")}", palette)
            : data.Synthetic is { } s ? DatasetClasses.Of(Ade20kClasses.Names.Take(s.Classes).ToList(), "the synthetic ADE20K-format set's class names (data.synthetic.classes)", palette)
            : DatasetClasses.Of(Ade20kClasses.Names, "ADE20K's class names (no data.classes or data.classes_file)", palette);
        ExperimentData.ResolveNumClasses(Config, found, "");
        return found;
    }

    /// <summary>The data set and loader part of the config's data section (its other keys are <see cref="PipelineOptions"/>).</summary>
    public override DataConfig Data => Config.Data.Bind<DataConfig>(ConfigBinding.KeysOf<SegmentationPipelineOptions>());

    /// <summary>The pipeline options the config's data section describes (used by training, evaluation, prediction and `show`).</summary>
    public SegmentationPipelineOptions PipelineOptions() =>
        Config.Data.Bind<SegmentationPipelineOptions>(ConfigBinding.KeysOf<DataConfig>()) with { IgnoreIndex = (byte)Config.Model.IgnoreIndex };

    /// <summary>The training (augmenting) or test pipeline.</summary>
    public ISegmentationPipeline Pipeline(bool train) =>
        train ? new SegmentationTrainPipeline(PipelineOptions()) : new SegmentationTestPipeline(PipelineOptions());

    /// <summary>A split of the data set at data.root (or <paramref name="root"/>) through the training or test pipeline.</summary>
    /// With data.on_bad_sample = skip, a training split leaves out (and counts) images without an annotation.
    public Ade20kDataset Dataset(string split, bool train, string? root = null) =>
        new(root ?? Data.Root, Pipeline(train), new Ade20kOptions
        {
            Split = DataSetup.Ade20kSplit(split), NumClasses = Classes.Count, ReduceZeroLabel = Data.ReduceZeroLabel,
            MaxImagePixels = Data.MaxImagePixels, SkipBadSamples = train && Data.OnBadSample == BadSamplePolicy.Skip,
        });

    /// <summary>The config's test section as inference options (whole or sliding window, flip, scales).</summary>
    public InferenceOptions Inference => Config.Test.Bind<InferenceOptions>(ConfigBinding.KeysOf<TestRunOptions>());

    /// <summary>The class names, in train-id order (<see cref="Classes"/>).</summary>
    public IReadOnlyList<string> ClassNames() => Classes.Names;

    public override IResumableBatchSource<SegmentationBatch> TrainData()
    {
        var trainSet = Dataset(Data.TrainSplit, train: true);
        if (trainSet.MissingPairs > 0)
            Console.Error.WriteLine($"data: {trainSet.MissingPairs} training image(s) without an annotation skipped (data.on_bad_sample=skip)");
        return new LoaderBatchSource<SegmentationSample, SegmentationBatch>(
            o => DataSetup.SegmentationLoader(trainSet, o, train: true), TrainLoaderOptions());
    }

    public override Trainer<SegmentationBatch> CreateTrainer(EncoderDecoder model, IResumableBatchSource<SegmentationBatch> data,
        Func<IReadOnlyDictionary<string, double>>? evaluate) =>
        CreateTrainer(model, data, evaluate, Device);

    private Trainer<SegmentationBatch> CreateTrainer(EncoderDecoder model, IResumableBatchSource<SegmentationBatch> data,
        Func<IReadOnlyDictionary<string, double>>? evaluate, Device device) =>
        new(model, TrainingSetup.Optimizer(Config, model), TrainingSetup.Schedule(Config), TrainingSetup.TrainerOptions(Config, WorkDir, KeyMetric), batch =>
        {
            var (losses, accuracy) = model.Loss(DevicePlacement.OnDevice(batch.Images, device), DevicePlacement.OnDevice(batch.Labels, device));
            var scalars = losses.Where(kv => kv.Key != "loss").ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>());
            scalars["acc_seg"] = accuracy;
            return new TrainStepResult(losses["loss"], scalars);
        }, data, evaluate);

    protected override IEvaluation Validate(EncoderDecoder model) => Evaluate(model, Data.ValMaxImages, ranks: ProcessGroups.Current);

    protected override IReadOnlyList<string> WriteOverlays(EncoderDecoder model, int count, string dir)
    {
        Evaluate(model, count, overlays: count, overlayDir: dir);
        var dataset = Dataset(Data.ValSplit, train: false);
        return Enumerable.Range(0, Math.Min(count, dataset.Count)).Select(i => OverlayPath(dir, dataset.Files(i).Name)).ToList();
    }

    /// <summary>Where the overlay (image | ground truth | prediction, legend) of the image named <paramref name="name"/> goes.</summary>
    private static string OverlayPath(string dir, string name) => Path.Combine(dir, name + ".png");

    protected override string Describe() => $"{Config.Model.Backbone.Type} + {Config.Model.Neck.Type} + {Config.Model.DecodeHead.Type}";

    /// <summary>
    /// mIoU of a checkpoint; with <paramref name="outDir"/>, also label PNGs in outDir/predictions, train.overlay_images
    /// overlays in outDir/overlays and outDir/metrics.json.
    /// </summary>
    public override SegmentationEvaluation Evaluate(string checkpoint, bool ema = false, int maxImages = 0, string? outDir = null)
    {
        WarnIfPrecisionIsSlowHere("test.precision", TestRun.Precision);
        var model = LoadModel(checkpoint, ema);
        var result = Evaluate(model, maxImages > 0 ? maxImages : Data.ValMaxImages,
            outDir is null ? null : Path.Combine(outDir, "predictions"), overlays: outDir is null ? 0 : Config.Train.OverlayImages,
            overlayDir: outDir is null ? null : Path.Combine(outDir, "overlays"), progress: true);
        if (outDir is not null) File.WriteAllText(Path.Combine(outDir, "metrics.json"), result.ToJson(checkpoint).ToString());
        return result;
    }

    /// <summary>
    /// Format-only (test.format_only, `eval --format-only`): label PNGs of every image of images/&lt;test.split&gt;
    /// (first <paramref name="maxImages"/> when &gt; 0) in outDir/predictions, in the data set's encoding (ADE20K:
    /// classes 1..150, what its devkit and evaluation server take); no annotations are read and nothing is scored.
    /// </summary>
    public override FormatOnlyOutputs FormatResults(string checkpoint, string outDir, bool ema = false, int maxImages = 0)
    {
        var split = DataSetup.Ade20kSplit(TestRun.Split ?? Data.ValSplit);
        var imageDir = Path.Combine(Data.Root, "images", split);
        if (!Directory.Exists(imageDir)) throw new DirectoryNotFoundException($"test.split '{split}': image folder {imageDir} not found");
        var suffix = new Ade20kOptions().ImageSuffix;
        var images = Directory.GetFiles(imageDir, "*" + suffix).Order(StringComparer.Ordinal).ToList();
        if (images.Count == 0) throw new UserInputException($"test.split '{split}': no '*{suffix}' images in {imageDir}");
        if (maxImages > 0) images = images.Take(maxImages).ToList();
        var predictor = new SegmentationPredictor(this, checkpoint, ema);
        var dir = Path.Combine(outDir, "predictions");
        foreach (var image in images)
        {
            using var prediction = predictor.Predict(image);
            prediction.WriteLabels(Path.Combine(dir, prediction.Name + ".png"));
        }
        return new FormatOnlyOutputs(images.Count, [dir]);
    }

    public override TestRunOptions TestRun => TestRunOptions.Of<InferenceOptions>(Config.Test);

    /// <summary>
    /// mIoU over the validation split (first <paramref name="maxImages"/> when > 0). Optionally writes label PNGs
    /// (in the data set's encoding: <see cref="Ade20kLabels.ToDatasetEncoding"/>) to <paramref name="predictionsDir"/> and the first <paramref name="overlays"/> overlays to <paramref name="overlayDir"/>,
    /// and adds every image it evaluates to <paramref name="confusion"/> (the `confusion-matrix` command).
    /// With <paramref name="ranks"/> (call it on every rank), rank r evaluates images r, r + W, … and the histograms
    /// are summed over the ranks, so every rank returns the mIoU of all the images (the confusion matrix holds this rank's images).
    /// With <paramref name="progress"/>, a progress line (images, ETA, it/s) on stderr.
    /// </summary>
    public SegmentationEvaluation Evaluate(EncoderDecoder model, int maxImages, string? predictionsDir = null, int overlays = 0, string? overlayDir = null,
        ConfusionMatrix? confusion = null, IProcessGroup? ranks = null, bool progress = false)
    {
        var full = Dataset(Data.ValSplit, train: false);
        var metric = new SegmentationMetric(Classes.Count, Config.Model.IgnoreIndex);
        var fullLimit = maxImages > 0 ? Math.Min(maxImages, full.Count) : full.Count;
        var (rank, size) = (ranks?.Rank ?? 0, ranks?.Size ?? 1);
        IDataset<SegmentationSample> dataset = size == 1 ? full : new StridedDataset<SegmentationSample>(full, rank, size, fullLimit);
        var limit = size == 1 ? fullLimit : dataset.Count;
        var device = DevicePlacement.DeviceOf(model);
        var wasTraining = model.training;
        model.eval();
        using var precision = Autocast.Enter(Precisions.LowType(TestRun.Precision)); // test.precision
        // A rank may have no image (fewer images than ranks): it still joins the histogram sum below.
        using var loader = limit > 0 ? DataSetup.SegmentationLoader(dataset, new DataLoaderOptions { BatchSize = 1, Workers = 1, Prefetch = 2 }, train: false) : null;
        var bar = progress ? new ProgressBar(limit, 0) : null;
        for (var index = 0; index < limit && loader!.Next() is { } batch; index++, bar?.Report(index, ""))
        {
            using (batch)
            using (NewDisposeScope())
            {
                var info = batch.Samples[0];
                var image = batch.Images[.., .., ..info.ContentHeight, ..info.ContentWidth];
                var scores = model.Predict(DevicePlacement.OnDevice(image, device), info.OriginalHeight, info.OriginalWidth, Inference);
                var prediction = SegmentationPrediction.LabelsOf(scores);
                var label = batch.Labels[0].to(ScalarType.Byte).contiguous().data<byte>().ToArray();
                metric.Add(prediction, label);
                confusion?.Add(prediction, label);
                if (predictionsDir is not null)
                {
                    Directory.CreateDirectory(predictionsDir);
                    var encoded = (byte[])prediction.Clone();
                    Ade20kLabels.ToDatasetEncoding(encoded, Data.ReduceZeroLabel);
                    SegmentationPng.Write(Path.Combine(predictionsDir, info.Name + ".png"), encoded, info.OriginalHeight, info.OriginalWidth);
                }
                if (overlayDir is not null && index < overlays)
                    SegmentationPrediction.WritePanels(OverlayPath(overlayDir, info.Name), full.Files(rank + index * size).Image,
                        [("ground truth", label), ("prediction", prediction)], info.OriginalHeight, info.OriginalWidth, ClassNames(), Classes.Palette,
                        (byte)Config.Model.IgnoreIndex);
            }
        }
        bar?.Finish();
        if (wasTraining) model.train();
        if (size > 1)
        {
            using var totals = tensor(metric.ExportTotals());
            ranks!.AllReduceSum(totals);
            metric.ImportTotals(totals.data<long>().ToArray());
        }
        return new SegmentationEvaluation(metric.Compute(ClassNames()));
    }
}
