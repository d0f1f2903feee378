using OpenCvSharp;
using VimDense.Datasets.Loading;

namespace VimDense.Datasets.Transforms;

/// <summary>Turns a decoded image and its train-id label map into a <see cref="SegmentationSample"/>.</summary>
public interface ISegmentationPipeline
{
    /// <summary>
    /// Transforms <paramref name="bgr"/> (CV_8UC3) and <paramref name="label"/> (CV_8UC1, same size, train ids
    /// with 255 = ignore). The inputs are not modified or disposed.
    /// </summary>
    SegmentationSample Apply(Mat bgr, Mat label, string name, Random rng);
}
