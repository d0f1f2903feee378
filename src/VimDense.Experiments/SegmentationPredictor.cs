using OpenCvSharp;
using VimDense.Datasets.Transforms;
using VimDense.Heads.Segmentation;
using VimDense.Engine;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// Segments single images with a trained model (detectron2's DefaultPredictor): the experiment's test pipeline
/// (resize, normalise), the config's inference mode (whole / slide, flip, scales), scores at the original size.
/// </summary>
public sealed class SegmentationPredictor : ImagePredictor<SegmentationPrediction>
{
    private readonly ISegmentationPipeline pipeline;
    private readonly InferenceOptions inference;
    private readonly ScalarType? lowType; // test.precision
    private readonly IReadOnlyList<(byte R, byte G, byte B)> palette;
    private readonly bool reduceZeroLabel;

    /// <summary>A predictor for <paramref name="model"/> (put in eval mode).</summary>
    public SegmentationPredictor(SegmentationExperiment experiment, EncoderDecoder model)
    {
        Model = model;
        pipeline = experiment.Pipeline(train: false);
        inference = experiment.Inference;
        experiment.WarnIfPrecisionIsSlowHere("test.precision", experiment.TestRun.Precision);
        lowType = Precisions.LowType(experiment.TestRun.Precision);
        ClassNames = experiment.ClassNames();
        palette = experiment.Classes.Palette;
        reduceZeroLabel = experiment.Data.ReduceZeroLabel;
        model.eval();
    }

    /// <summary>A predictor with the weights of a training checkpoint.</summary>
    public SegmentationPredictor(SegmentationExperiment experiment, string checkpoint, bool ema = false)
        : this(experiment, experiment.LoadModel(checkpoint, ema)) { }

    public EncoderDecoder Model { get; }

    /// <summary>The name of each class index in <see cref="SegmentationPrediction.Labels"/>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public override SegmentationPrediction Predict(Mat bgr, string name)
    {
        using var scope = NewDisposeScope();
        using var blank = new Mat(bgr.Rows, bgr.Cols, MatType.CV_8UC1, Scalar.All(0));
        var sample = pipeline.Apply(bgr, blank, name, new Random(0));
        var image = tensor(sample.Image).reshape(1, 3, sample.Height, sample.Width).to(Engine.DevicePlacement.DeviceOf(Model));
        Tensor scores;
        using (Autocast.Enter(lowType)) scores = Model.Predict(image, sample.OriginalHeight, sample.OriginalWidth, inference);
        return new SegmentationPrediction(name, scores[0].MoveToOuterDisposeScope()) { Palette = palette, ReduceZeroLabel = reduceZeroLabel, ClassNames = ClassNames };
    }
}
