using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Structures;

namespace VimDense.Datasets.Transforms;

/// <summary>Turns a decoded image and its instances (original coordinates) into a <see cref="DetectionSample"/>.</summary>
public interface IDetectionPipeline
{
    /// <summary><paramref name="bgr"/> is not modified or disposed.</summary>
    DetectionSample Apply(Mat bgr, IReadOnlyList<Instance> instances, CocoImage image, Random rng);
}
