using VimDense.Heads.Detection;

namespace VimDense.Experiments;

/// <summary>
/// A detector's prediction for one image: the detections scoring at least the predictor's threshold, at the
/// original resolution (boxes [x, y, w, h] in pixels, scores, class indices, masks when the model has a mask head).
/// </summary>
/// <param name="Name">The image's name (file name without extension, or the name given with a tensor).</param>
/// <param name="Height">Original image height.</param>
/// <param name="Width">Original image width.</param>
/// <param name="Detections">Detections, best first.</param>
/// <param name="ClassNames">The name of each class index.</param>
public sealed record DetectionPrediction(string Name, int Height, int Width, IReadOnlyList<ExportedDetection> Detections, IReadOnlyList<string> ClassNames)
{
    /// <summary>The class name of a detection.</summary>
    public string ClassName(ExportedDetection detection) =>
        detection.ClassIndex < ClassNames.Count ? ClassNames[detection.ClassIndex] : detection.ClassIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
