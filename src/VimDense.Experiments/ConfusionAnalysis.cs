using VimDense.Datasets.Evaluation;
using VimDense.Heads.Segmentation;

namespace VimDense.Experiments;

/// <summary>
/// `confusion-matrix`: a segmentation checkpoint's pixel confusion matrix over the validation split, gathered by the
/// mIoU evaluation itself (<see cref="SegmentationExperiment.Evaluate(EncoderDecoder, int, string?, int, string?, ConfusionMatrix?, VimDense.Engine.Distributed.IProcessGroup?)"/>),
/// written as CSVs (row-normalised fractions and raw counts) and a heatmap.
/// </summary>
public static class ConfusionAnalysis
{
    public const string FractionsCsv = "confusion_matrix.csv", CountsCsv = "confusion_counts.csv", Picture = "confusion_matrix.png";

    /// <summary>The matrix (and the evaluation it came with) of <paramref name="model"/> on the first <paramref name="maxImages"/> validation images (0: data.val_max_images).</summary>
    public static (ConfusionMatrix Matrix, SegmentationEvaluation Evaluation) Compute(SegmentationExperiment experiment, EncoderDecoder model, int maxImages = 0)
    {
        var matrix = new ConfusionMatrix(experiment.Classes.Count, experiment.Config.Model.IgnoreIndex);
        var evaluation = experiment.Evaluate(model, maxImages > 0 ? maxImages : experiment.Data.ValMaxImages, confusion: matrix);
        return (matrix, evaluation);
    }

    /// <summary>Writes <see cref="FractionsCsv"/>, <see cref="CountsCsv"/> and <see cref="Picture"/> to <paramref name="outDir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string outDir, ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        Directory.CreateDirectory(outDir);
        var paths = new[] { FractionsCsv, CountsCsv, Picture }.Select(name => Path.Combine(outDir, name)).ToArray();
        File.WriteAllText(paths[0], matrix.ToCsv(classNames));
        File.WriteAllText(paths[1], matrix.ToCsv(classNames, normalized: false));
        ConfusionMatrixPlot.Write(paths[2], matrix, classNames);
        return paths;
    }
}
