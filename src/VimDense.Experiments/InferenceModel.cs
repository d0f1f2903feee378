using TorchSharp;
using VimDense.Engine;
using VimDense.Heads.Detection;
using VimDense.Heads.Segmentation;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// The whole model of an experiment (segmentor or detector) in eval mode, run on images of a chosen size as inference
/// runs it (under test.precision): a segmentor's logits resized to the input (EncoderDecoder.forward, one view), a detector's detections
/// (RPN, cascade stages, masks). What `complexity` counts and `bench model` times.
/// </summary>
public sealed class InferenceModel : IDisposable
{
    private readonly Action<Tensor> run;
    private readonly ScalarType? lowType;

    private InferenceModel(nn.Module module, Action<Tensor> run, (int Height, int Width) configuredSize, string task, int backboneStride,
        ScalarType? lowType)
    {
        BackboneStride = backboneStride;
        this.lowType = lowType;
        Module = module;
        this.run = run;
        ConfiguredSize = configuredSize;
        Task = task;
    }

    /// <summary>The model (its parameter names are the checkpoint's).</summary>
    public nn.Module Module { get; }

    /// <summary>The size the config trains at: data.crop_size (segmentation) or data.image_size (detection).</summary>
    public (int Height, int Width) ConfiguredSize { get; }

    /// <summary>The stride of the backbone's first feature map (16 for a patch-16 Vim or DeiT): tokens = (H/stride)·(W/stride).</summary>
    public int BackboneStride { get; }

    /// <summary>"segmentation" or "detection".</summary>
    public string Task { get; }

    /// <summary>
    /// Builds the experiment's model with random weights, or with a training checkpoint's (model weights only) when
    /// <paramref name="checkpoint"/> is given; never loads the pretrained backbone (weights do not change the cost).
    /// </summary>
    public static InferenceModel Of(Experiment experiment, string? checkpoint = null, Device? device = null)
    {
        var lowType = Precisions.LowType(experiment.TestRun.Precision);
        InferenceModel model = experiment switch
        {
            SegmentationExperiment s => Segmentor(s, checkpoint, lowType),
            DetectionExperiment d => Detector(d, checkpoint, lowType),
            _ => throw new UserInputException($"{experiment.ConfigPath}: task '{experiment.Config.Task}' has no inference model"),
        };
        model.Module.eval();
        if (device is not null) model.Module.to(device);
        return model;
    }

    /// <summary>A batch of <paramref name="batch"/> random images (B, 3, H, W) on <paramref name="device"/>, drawn with a fixed seed.</summary>
    public Tensor RandomImages(int height, int width, int batch = 1, Device? device = null)
    {
        if (height < 16 || width < 16) throw new UserInputException($"image size {height}x{width}: expected at least 16x16");
        var generator = new Generator(0);
        using var images = randn([batch, 3, height, width], generator: generator);
        return images.to(device ?? CPU);
    }

    /// <summary>One inference pass over <paramref name="images"/> (no_grad, test.precision; outputs are dropped).</summary>
    public void Run(Tensor images)
    {
        using var noGrad = no_grad();
        using var precision = Autocast.Enter(lowType);
        using var scope = NewDisposeScope();
        run(images);
    }

    public void Dispose() => Module.Dispose();

    private static InferenceModel Segmentor(SegmentationExperiment experiment, string? checkpoint, ScalarType? lowType)
    {
        var model = checkpoint is null ? experiment.BuildModel(loadPretrained: false) : experiment.LoadModel(checkpoint);
        return new InferenceModel(model, images => model.call(images), experiment.PipelineOptions().CropSize, "segmentation", model.Backbone.Strides[0],
            lowType);
    }

    private static InferenceModel Detector(DetectionExperiment experiment, string? checkpoint, ScalarType? lowType)
    {
        var model = checkpoint is null ? experiment.BuildModel(loadPretrained: false) : experiment.LoadModel(checkpoint);
        return new InferenceModel(model, images =>
        {
            var sizes = Enumerable.Repeat(((long)images.shape[2], (long)images.shape[3]), (int)images.shape[0]).ToList();
            model.Predict(images, sizes);
        }, experiment.PipelineOptions().ImageSize, "detection", model.Backbone.Strides[0],
            lowType);
    }
}
