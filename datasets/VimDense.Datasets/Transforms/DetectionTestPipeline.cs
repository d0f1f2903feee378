using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Structures;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// detectron2 test pipeline: ResizeShortestEdge(short edge, max size) with PIL's bilinear filter, normalise. Instances (all of them,
/// crowd regions flagged) are scaled into the resized image for display; evaluation uses the original
/// annotations and maps predictions back with <see cref="DetectionSample.ScaleX"/>/<see cref="DetectionSample.ScaleY"/>.
/// </summary>
public sealed class DetectionTestPipeline(DetectionPipelineOptions options) : IDetectionPipeline
{
    public DetectionPipelineOptions Options { get; } = options;

    public DetectionSample Apply(Mat bgr, IReadOnlyList<Instance> instances, CocoImage image, Random rng)
    {
        var (w, h) = (bgr.Width, bgr.Height);
        var (nw, nh) = KeepRatioScale.ShortestEdge(w, h, Options.TestShortEdge, Options.TestMaxSize);
        using var resized = PilResize.Resize(bgr, new Size(nw, nh), PilFilter.Bilinear);
        return new DetectionSample
        {
            ImageId = image.Id,
            FileName = image.FileName,
            OriginalHeight = h,
            OriginalWidth = w,
            Image = ChwConversion.ToNormalizedChw(resized, Options.Normalize, nh, nw),
            Height = nh,
            Width = nw,
            Instances = InstanceGeometry.Resize(instances, w, h, nw, nh),
            ScaleX = (double)nw / w,
            ScaleY = (double)nh / h,
        };
    }
}
