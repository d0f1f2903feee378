namespace VimDense.Datasets.Ade20k;

/// <summary>ADE20K label-map arithmetic.</summary>
public static class Ade20kLabels
{
    /// <summary>
    /// mmseg <c>reduce_zero_label</c>, the uint8 trick: 0 → 255, then k → k − 1 (so 255 → 254), then 254 → 255.
    /// Net effect: 0 (other) and 255 become ignore, k ∈ [1, 254] becomes train id k − 1 except 255 → ignore.
    /// </summary>
    public static void ReduceZeroLabel(Span<byte> label)
    {
        for (var i = 0; i < label.Length; i++)
        {
            var v = label[i] == 0 ? (byte)255 : label[i];
            v = unchecked((byte)(v - 1));
            label[i] = v == 254 ? (byte)255 : v;
        }
    }

    /// <summary>
    /// Train ids back to the data set's own encoding, the inverse of <see cref="ReduceZeroLabel"/> on the values a
    /// prediction holds: with reduce_zero_label, train id t → t + 1 and ignore (255) → 0 ("other"), so ADE20K's
    /// devkit and server read classes 1..150; without it the train ids are the encoding and stay as they are.
    /// </summary>
    public static void ToDatasetEncoding(Span<byte> trainIds, bool reduceZeroLabel)
    {
        if (!reduceZeroLabel) return;
        for (var i = 0; i < trainIds.Length; i++)
            trainIds[i] = trainIds[i] >= 254 ? (byte)0 : (byte)(trainIds[i] + 1);
    }

    /// <summary>
    /// The first raw value that is not a valid annotation for <paramref name="numClasses"/> classes, or -1.
    /// With reduce_zero_label valid values are 0..K; without it, 0..K−1 and 255.
    /// </summary>
    public static int FirstInvalidValue(ReadOnlySpan<byte> raw, int numClasses, bool reduceZeroLabel)
    {
        Span<bool> seen = stackalloc bool[256];
        foreach (var v in raw) seen[v] = true;
        for (var v = 0; v < 256; v++)
        {
            if (!seen[v]) continue;
            var valid = reduceZeroLabel ? v <= numClasses : v < numClasses || v == 255;
            if (!valid) return v;
        }
        return -1;
    }
}
