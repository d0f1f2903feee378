using TorchSharp;
using VimDense.Backbones;
using VimDense.Cli.Detection;
using VimDense.Config;
using VimDense.Datasets;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Synthetic;
using VimDense.Datasets.Transforms;
using VimDense.Engine;
using VimDense.Heads.Detection;
using VimDense.Heads.Necks;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Cli.Experiments;

/// <summary>
/// A detection experiment (config task "detection"): backbone → SimpleFeaturePyramid → Cascade Mask R-CNN, COCO-layout
/// data with the LSJ training pipeline and the shortest-edge test pipeline, the shared trainer (best checkpoint by
/// bbox AP) and COCO evaluation of the validation split from the results files it writes.
/// </summary>
internal sealed class DetectionExperiment
{
    public const string KeyMetric = "bbox_AP";

    private DetectionExperiment(ExperimentConfig config, string workDir)
    {
        Config = config;
        WorkDir = workDir;
    }

    public ExperimentConfig Config { get; }
    public string WorkDir { get; }

    public static DetectionExperiment Load(string configPath, IEnumerable<string>? overrides, string? workDir)
    {
        var config = ConfigLoader.Load(configPath, overrides);
        if (config.Task != "detection") throw new UserInputException($"{configPath}: task is '{config.Task}', expected detection");
        var dir = workDir ?? config.WorkDir ?? Path.Combine("work_dirs", Path.GetFileNameWithoutExtension(configPath));
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        return new DetectionExperiment(config, Path.GetFullPath(dir));
    }

    public bool Masks => Config.Model.RoiHeads.Masks;

    public CascadeMaskRcnn BuildModel(bool loadPretrained)
    {
        var m = Config.Model;
        var r = m.RoiHeads;
        if (r.StageIous.Count is < 1 or > 3) throw new UserInputException($"model.roi_heads.stage_ious: expected 1 to 3 stages, got {r.StageIous.Count}");
        torch.manual_seed(Config.Seed);
        var backbone = BackboneFactory.Create(m.Backbone.Type, m.Backbone.Options);
        var defaults = new RoiHeadsOptions();
        var options = new CascadeMaskRcnnOptions
        {
            PyramidChannels = m.Neck.OutChannels,
            AnchorSizes = m.Rpn.AnchorSizes,
            AnchorRatios = m.Rpn.AnchorRatios,
            Rpn = new RpnOptions
            {
                ConvLayers = m.Rpn.ConvLayers, PreNmsTopKTrain = m.Rpn.PreNmsTopKTrain, PreNmsTopKTest = m.Rpn.PreNmsTopKTest,
                PostNmsTopKTrain = m.Rpn.PostNmsTopKTrain, PostNmsTopKTest = m.Rpn.PostNmsTopKTest, NmsThreshold = m.Rpn.NmsThreshold,
                BatchSizePerImage = m.Rpn.BatchSizePerImage, PositiveFraction = m.Rpn.PositiveFraction,
            },
            RoiHeads = new RoiHeadsOptions
            {
                NumClasses = m.NumClasses, StageIous = r.StageIous, StageWeights = defaults.StageWeights.Take(r.StageIous.Count).ToList(),
                BatchSizePerImage = r.BatchSizePerImage, PositiveFraction = r.PositiveFraction, ConvDim = r.ConvDim,
                BoxConvLayers = r.BoxConvLayers, FcDim = r.FcDim, MaskConvLayers = r.MaskConvLayers, Masks = r.Masks,
                ScoreThreshold = r.ScoreThreshold, NmsThreshold = r.NmsThreshold, DetectionsPerImage = r.DetectionsPerImage,
            },
        };
        var model = new CascadeMaskRcnn(backbone, options, BuildNeck(backbone, m.Neck));
        var pretrained = m.Backbone.Pretrained;
        if (loadPretrained && !string.IsNullOrEmpty(pretrained))
        {
            if (!File.Exists(pretrained)) throw new FileNotFoundException($"model.backbone.pretrained: {pretrained} not found");
            Console.Error.WriteLine($"pretrained {pretrained}: {backbone.Load(pretrained, m.Backbone.StrictLoad)}");
        }
        return model;
    }

    /// <summary>
    /// simple_feature_pyramid (ViTDet, from the last backbone map) or fpn (Feature2Pyramid from four backbone maps, then
    /// FPN and P6; neck.norm is the deconvolution pyramid's norm).
    /// </summary>
    private static Neck BuildNeck(IBackbone backbone, NeckConfig neck) => neck.Type.ToLowerInvariant() switch
    {
        "simple_feature_pyramid" => new SimpleFeaturePyramid(backbone.Channels, backbone.Strides, neck.OutChannels),
        "fpn" when backbone.Channels.Distinct().Count() == 1 && backbone.Strides.Distinct().Count() == 1 && backbone.Channels.Count == 4 =>
            new DetectionFpn(backbone.Channels[0], backbone.Strides[0], neck.OutChannels, NormKindParser.Parse(neck.Norm)),
        "fpn" => throw new UserInputException("model.neck.type 'fpn' needs four backbone maps of one width and stride (model.backbone.options.out_indices with 4 entries)"),
        _ => throw new UserInputException($"model.neck.type '{neck.Type}': detection supports simple_feature_pyramid or fpn"),
    };

    /// <summary>Generates the synthetic COCO-format set when configured and absent; checks the class count.</summary>
    public void PrepareData() =>
        ExperimentData.Prepare(Config, "COCO", SyntheticCocoWriter.Write, "COCO layout annotations/, train2017/, val2017/",
            CocoClasses.Categories.Count);

    public DetectionPipelineOptions PipelineOptions()
    {
        var d = Config.Data;
        return new DetectionPipelineOptions
        {
            ImageSize = (d.ImageSize, d.ImageSize), ScaleRange = (d.LsjScaleRange[0], d.LsjScaleRange[1]), FlipProbability = d.FlipProbability,
            TestShortEdge = d.ImageSize, TestMaxSize = d.ImageSize, Normalize = new NormalizeOptions(d.Mean.ToArray(), d.Std.ToArray()),
        };
    }

    public CocoDataset Dataset(string split, bool train)
    {
        IDetectionPipeline pipeline = train ? new LsjTrainPipeline(PipelineOptions()) : new DetectionTestPipeline(PipelineOptions());
        return CocoDataset.Open(Config.Data.Root, DataSetup.CocoSplit(split), pipeline, forTraining: train);
    }

    public IReadOnlyList<string> ClassNames(CocoDataset? dataset = null) =>
        dataset?.Annotations.Categories.Select(c => c.Name).ToList()
        ?? SyntheticInfo.ClassNames(Config.Data.Root) ?? CocoClasses.Categories.Select(c => c.Name).ToList();

    public LoaderBatchSource<DetectionSample, DetectionBatch> TrainData(CocoDataset trainSet)
    {
        var d = Config.Data;
        var accumulation = Math.Max(1, Config.Optimizer.AccumulationSteps);
        if (d.BatchSize % accumulation != 0)
            throw new UserInputException($"data.batch_size {d.BatchSize} is not divisible by optimizer.accumulation_steps {accumulation}");
        var options = new DataLoaderOptions { BatchSize = d.BatchSize / accumulation, Workers = d.Workers, Prefetch = d.Prefetch, Seed = Config.Seed };
        return new LoaderBatchSource<DetectionSample, DetectionBatch>(
            o => DataSetup.DetectionLoader(trainSet, o, train: true, d.ImageSize, Masks), options);
    }

    public Trainer<DetectionBatch> CreateTrainer(CascadeMaskRcnn model, IResumableBatchSource<DetectionBatch> data, Func<IReadOnlyDictionary<string, double>>? evaluate) =>
        new(model, TrainingSetup.Optimizer(Config, model), TrainingSetup.Schedule(Config), TrainingSetup.TrainerOptions(Config, WorkDir, KeyMetric), batch =>
        {
            var losses = model.Losses(batch.Images, DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.Targets(batch, Masks));
            var total = losses.Values.Aggregate((a, b) => a + b);
            var scalars = losses.ToDictionary(kv => kv.Key, kv => (double)kv.Value.item<float>());
            return new TrainStepResult(total, scalars);
        }, data, evaluate);

    /// <summary>
    /// Detects on the validation split (first <paramref name="maxImages"/> when > 0), writes results_bbox.json (and
    /// results_segm.json with masks) to <paramref name="outDir"/> and scores them against the ground truth of the
    /// evaluated images, reading the files back as `vimdense cocoeval` does.
    /// </summary>
    public DetectionEvaluation Evaluate(CascadeMaskRcnn model, int maxImages, string outDir)
    {
        var dataset = Dataset(Config.Data.ValSplit, train: false);
        var categoryIds = dataset.Annotations.Categories.Select(c => c.Id).ToList();
        var limit = maxImages > 0 ? Math.Min(maxImages, dataset.Count) : dataset.Count;
        var results = new List<CocoAnnotation>();
        var imageIds = new HashSet<long>();
        var wasTraining = model.training;
        model.eval();
        using (var loader = DataSetup.DetectionLoader(dataset, new DataLoaderOptions { BatchSize = 1, Workers = 1, Prefetch = 2 }, train: false, Config.Data.ImageSize))
        {
            for (var index = 0; index < limit && loader.Next() is { } batch; index++)
            {
                using (batch)
                using (NewDisposeScope())
                {
                    var detections = model.Predict(batch.Images, DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.OriginalSizes(batch));
                    for (var i = 0; i < batch.Count; i++)
                    {
                        imageIds.Add(batch.Samples[i].ImageId);
                        var sample = batch.Samples[i];
                        results.AddRange(CocoDetectionResults.From(sample.ImageId, sample.OriginalHeight, sample.OriginalWidth,
                            DetectionExport.ToPlain(detections[i]), categoryIds));
                    }
                }
            }
        }
        if (wasTraining) model.train();
        return DetectionEvaluation.Score(Path.Combine(Config.Data.Root, "annotations", $"instances_{DataSetup.CocoSplit(Config.Data.ValSplit)}.json"),
            imageIds, results, Masks, outDir);
    }
}
