using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// Stacks segmentation samples into a <see cref="SegmentationBatch"/>. Samples of different sizes (test
/// time) are padded at the bottom/right to the largest one: images with 0 (normalised space), labels with
/// the ignore index.
/// </summary>
public sealed class SegmentationCollator(byte ignoreIndex = 255)
{
    public SegmentationBatch Collate(IReadOnlyList<SegmentationSample> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("cannot collate an empty batch");
        var (h, w) = (samples.Max(s => s.Height), samples.Max(s => s.Width));
        var (lh, lw) = (samples.Max(s => s.LabelHeight), samples.Max(s => s.LabelWidth));
        var images = new float[samples.Count * 3 * h * w];
        var labels = new long[samples.Count * lh * lw];
        for (var b = 0; b < samples.Count; b++)
        {
            var s = samples[b];
            for (var c = 0; c < 3; c++)
            for (var y = 0; y < s.Height; y++)
                s.Image.AsSpan((c * s.Height + y) * s.Width, s.Width)
                    .CopyTo(images.AsSpan(((b * 3 + c) * h + y) * w, s.Width));
            var labelBase = b * lh * lw;
            labels.AsSpan(labelBase, lh * lw).Fill(ignoreIndex);
            for (var y = 0; y < s.LabelHeight; y++)
            {
                var src = s.Label.AsSpan(y * s.LabelWidth, s.LabelWidth);
                var dst = labels.AsSpan(labelBase + y * lw, s.LabelWidth);
                for (var x = 0; x < src.Length; x++) dst[x] = src[x];
            }
        }
        return new SegmentationBatch
        {
            Images = tensor(images, [samples.Count, 3, h, w]),
            Labels = tensor(labels, [samples.Count, lh, lw]),
            Samples = samples.Select(s => new SegmentationSampleInfo(s.Name, s.OriginalHeight, s.OriginalWidth,
                s.ContentHeight, s.ContentWidth, s.LabelHeight, s.LabelWidth, s.Flipped)).ToList(),
        };
    }
}
