using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's ROIPooler with ROIAlignV2: each box is pooled from the pyramid level
/// k = ⌊canonicalLevel + log2(√area / canonicalBoxSize + 1e−8)⌋ clamped to the available levels.
/// </summary>
public sealed class RoiPooler
{
    public RoiPooler(int outputSize, IReadOnlyList<int> strides, int samplingRatio = 0, double canonicalBoxSize = 224,
        int canonicalLevel = 4)
    {
        if (outputSize < 1) throw new ArgumentException($"outputSize must be >= 1, got {outputSize}", nameof(outputSize));
        var levels = strides.Select(s => Math.Log2(s)).ToArray();
        if (levels.Any(l => Math.Abs(l - Math.Round(l)) > 1e-9) || levels.Zip(levels.Skip(1)).Any(p => p.Second != p.First + 1))
            throw new ArgumentException("strides must be consecutive powers of two", nameof(strides));
        OutputSize = outputSize;
        Strides = strides;
        SamplingRatio = samplingRatio;
        CanonicalBoxSize = canonicalBoxSize;
        CanonicalLevel = canonicalLevel;
        MinLevel = (int)Math.Round(levels[0]);
    }

    public int OutputSize { get; }
    public IReadOnlyList<int> Strides { get; }
    public int SamplingRatio { get; }
    public double CanonicalBoxSize { get; }
    public int CanonicalLevel { get; }
    public int MinLevel { get; }

    /// <summary>Level index (0-based into <see cref="Strides"/>) of each box (R, 4).</summary>
    public Tensor AssignLevels(Tensor boxes)
    {
        using var scope = NewDisposeScope();
        var size = BoxOps.Area(boxes).sqrt();
        var level = floor(CanonicalLevel + log2(size / CanonicalBoxSize + 1e-8));
        return (level.clamp(MinLevel, MinLevel + Strides.Count - 1) - MinLevel).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// <summary>Pooled features (R, C, S, S) of the boxes of every image, images in order.</summary>
    public Tensor Pool(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxesPerImage)
    {
        if (features.Count < Strides.Count) throw new ArgumentException($"{Strides.Count} feature maps expected, got {features.Count}", nameof(features));
        using var scope = NewDisposeScope();
        var rois = cat(boxesPerImage.Select((b, i) =>
            cat([full(b.shape[0], 1, (double)i, b.dtype, b.device), b], 1)).ToList(), 0);
        var channels = features[0].shape[1];
        if (rois.shape[0] == 0)
            return zeros([0, channels, OutputSize, OutputSize], features[0].dtype, features[0].device).MoveToOuterDisposeScope();
        var levels = AssignLevels(rois[.., 1..]);
        var pooled = new List<Tensor>();
        var order = new List<Tensor>();
        for (var level = 0; level < Strides.Count; level++)
        {
            var index = levels.eq(level).nonzero().reshape(-1);
            if (index.shape[0] == 0) continue;
            pooled.Add(RoiAlign.Apply(features[level], rois.index_select(0, index), OutputSize, OutputSize,
                1.0 / Strides[level], SamplingRatio, aligned: true));
            order.Add(index);
        }
        // Back to the input order of the boxes.
        var inverse = argsort(cat(order, 0));
        return cat(pooled, 0).index_select(0, inverse).MoveToOuterDisposeScope();
    }
}
