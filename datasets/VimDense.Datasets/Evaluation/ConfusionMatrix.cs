using System.Globalization;
using System.Text;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// The pixel confusion matrix of semantic segmentation (mmseg's tools/analysis_tools/confusion_matrix.py): counts
/// [ground truth, prediction] over the pixels whose label is a class (ignore_index and out-of-range labels are
/// skipped, as by <see cref="SegmentationMetric"/>; a prediction outside the classes is counted in no column). Labels
/// are train ids (already mapped by the pipeline). Thread-safe: images may be added in parallel.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] counts;
    private readonly Lock gate = new();

    public ConfusionMatrix(int numClasses, int ignoreIndex = 255)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"number of classes must be positive, got {numClasses}");
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        counts = new long[numClasses * numClasses];
    }

    public int NumClasses { get; }

    public int IgnoreIndex { get; }

    /// <summary>Adds one image: predicted class and ground-truth label per pixel, row-major, same length.</summary>
    public void Add(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> label)
    {
        if (prediction.Length != label.Length)
            throw new ArgumentException($"prediction has {prediction.Length} pixels, label {label.Length}");
        var local = new long[counts.Length];
        for (var i = 0; i < label.Length; i++)
        {
            int truth = label[i], predicted = prediction[i];
            if (truth == IgnoreIndex || truth >= NumClasses || predicted >= NumClasses) continue;
            local[truth * NumClasses + predicted]++;
        }
        lock (gate)
            for (var k = 0; k < counts.Length; k++) counts[k] += local[k];
    }

    /// <summary>Pixels of ground-truth class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public long Count(int truth, int predicted)
    {
        lock (gate) return counts[truth * NumClasses + predicted];
    }

    /// <summary>The matrix with each row divided by its sum (the fraction of a class's pixels given each prediction); empty rows stay 0.</summary>
    public double[,] RowNormalized()
    {
        var result = new double[NumClasses, NumClasses];
        lock (gate)
            for (var row = 0; row < NumClasses; row++)
            {
                long sum = 0;
                for (var column = 0; column < NumClasses; column++) sum += counts[row * NumClasses + column];
                if (sum == 0) continue;
                for (var column = 0; column < NumClasses; column++) result[row, column] = counts[row * NumClasses + column] / (double)sum;
            }
        return result;
    }

    /// <summary>
    /// CSV: a header "ground_truth\prediction" then the class names, one row per ground-truth class; the cells are
    /// row-normalised fractions, or the pixel counts when <paramref name="normalized"/> is false.
    /// </summary>
    public string ToCsv(IReadOnlyList<string> classNames, bool normalized = true)
    {
        if (classNames.Count != NumClasses) throw new ArgumentException($"{classNames.Count} class names for {NumClasses} classes", nameof(classNames));
        var fractions = RowNormalized();
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", classNames.Select(Quote).Prepend("ground_truth\\prediction")));
        for (var row = 0; row < NumClasses; row++)
        {
            var cells = Enumerable.Range(0, NumClasses).Select(column => normalized
                ? fractions[row, column].ToString("G6", CultureInfo.InvariantCulture)
                : Count(row, column).ToString(CultureInfo.InvariantCulture));
            text.AppendLine(string.Join(",", cells.Prepend(Quote(classNames[row]))));
        }
        return text.ToString();
    }

    private static string Quote(string name) => name.IndexOfAny([',', '"', '\n']) < 0 ? name : $"\"{name.Replace("\"", "\"\"")}\"";
}
