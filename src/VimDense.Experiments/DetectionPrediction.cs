using VimDense.Structures;

namespace VimDense.Experiments;

/// <summary>
/// A detector's prediction for one image: the detections scoring at least the predictor's threshold, at the
/// original resolution (XYXY_ABS boxes in pixels, scores, class indices, bitmasks of the image size when the model has
/// a mask head).
/// </summary>
/// <param name="Name">The image's name (file name without extension, or the name given with a tensor).</param>
/// <param name="Height">Original image height.</param>
/// <param name="Width">Original image width.</param>
/// <param name="Detections">Detections, best first.</param>
/// <param name="ClassNames">The name of each class index.</param>
public sealed record DetectionPrediction(string Name, int Height, int Width, IReadOnlyList<Instance> Detections, IReadOnlyList<string> ClassNames)
{
    /// <summary>The class name of a detection.</summary>
    public string ClassName(Instance detection) =>
        detection.ClassIndex < ClassNames.Count ? ClassNames[detection.ClassIndex] : detection.ClassIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
