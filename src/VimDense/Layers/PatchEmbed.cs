using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Image to patch tokens: a Conv2d with kernel <c>patch</c> and stride <c>stride</c> (parameter names
/// <c>proj.weight</c>/<c>proj.bias</c>, as in the reference). Overlapping patches (stride &lt; patch, the Vim "+"
/// models) get an optional symmetric zero padding so that a side of S pixels gives exactly S/stride tokens.
/// </summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public PatchEmbed(int inChannels, int embedDim, int patchSize, int stride, int padding) : base(nameof(PatchEmbed))
    {
        if (patchSize <= 0 || stride <= 0 || stride > patchSize)
            throw new ArgumentException($"patch {patchSize} / stride {stride}: need 0 < stride <= patch");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding));
        PatchSize = patchSize;
        Stride = stride;
        Padding = padding;
        proj = nn.Conv2d(inChannels, embedDim, patchSize, stride: stride, padding: padding);
        RegisterComponents();
    }

    public int PatchSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public Conv2d Proj => proj;

    /// <summary>The padding that makes the token grid exactly (H/stride, W/stride) for sides divisible by the stride.</summary>
    public static int DenseGridPadding(int patchSize, int stride)
    {
        if ((patchSize - stride) % 2 != 0)
            throw new ArgumentException($"patch {patchSize} and stride {stride}: (patch - stride) must be even for a dense grid");
        return (patchSize - stride) / 2;
    }

    /// <summary>Token grid (rows, columns) for an input of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
    public (int Rows, int Cols) GridSize(long height, long width)
    {
        long Side(long s, string what)
        {
            var span = s + 2L * Padding - PatchSize;
            if (span < 0) throw new ArgumentException($"input {what} {s} is smaller than the patch ({PatchSize})");
            return span / Stride + 1;
        }
        return ((int)Side(height, "height"), (int)Side(width, "width"));
    }

    /// <summary>(B, C, H, W) images to a (B, D, rows, cols) token map.</summary>
    public override Tensor forward(Tensor images) =>
        Autocast.Active is not null && Stride == PatchSize && Padding == 0 ? PatchesTimesWeight(images) : Autocast.Conv2d(proj, images);

    /// <summary>
    /// Non-overlapping patches under autocast as one GEMM, (B, rows·cols, C·p·p) × (C·p·p, D): the same sums as the
    /// convolution. Why: oneDNN's AMX bf16 convolution for this kernel (3 input channels, 16×16, stride 16) took
    /// 0.36–0.42 s and ~1 GiB of scratch at 1248² where the whole rest of a Vim block took 0.13 s
    /// (bench/results/2026-12-02-cpu-xeon-amx.md). The fp32 path keeps the convolution (bit-identical to before).
    /// </summary>
    private Tensor PatchesTimesWeight(Tensor images)
    {
        using var scope = NewDisposeScope();
        long batch = images.shape[0], channels = images.shape[1], p = PatchSize;
        long rows = images.shape[2] / p, cols = images.shape[3] / p;  // a convolution ignores the remainder too
        // Cast first, so that the patch gather copies the low type, not float32 that a second copy would then lower.
        var patches = Autocast.Lower(images.narrow(2, 0, rows * p).narrow(3, 0, cols * p))
            .reshape(batch, channels, rows, p, cols, p).permute(0, 2, 4, 1, 3, 5)   // (B, rows, cols, C, p, p)
            .reshape(batch, rows * cols, channels * p * p);
        var weight = proj.weight!.reshape(proj.weight!.shape[0], channels * p * p);
        var tokens = nn.functional.linear(patches, Autocast.Lower(weight), proj.bias is { } b ? Autocast.Lower(b) : null);
        return tokens.transpose(1, 2).reshape(batch, -1, rows, cols).contiguous().MoveToOuterDisposeScope();
    }
}
