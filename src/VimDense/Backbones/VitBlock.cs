using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// A pre-norm transformer block (timm names norm1, attn, norm2, mlp), optionally with ViTDet window attention:
/// the normalised patch grid is zero-padded to a multiple of the window, split into windows that attend
/// separately, and reassembled. A window never exceeds the grid, so a window at least as large as the grid is
/// exactly global attention (ViTDet would pad such a grid with zero tokens instead).
/// </summary>
public sealed class VitBlock : nn.Module
{
    private readonly LayerNorm norm1;
    private readonly VitAttention attn;
    private readonly LayerNorm norm2;
    private readonly VitMlp mlp;
    private readonly DropPath drop_path;

    public VitBlock(int dim, int heads, double dropPath, int windowSize, bool useSdpa) : base(nameof(VitBlock))
    {
        norm1 = nn.LayerNorm(dim, 1e-6);
        attn = new VitAttention(dim, heads, useSdpa);
        norm2 = nn.LayerNorm(dim, 1e-6);
        mlp = new VitMlp(dim, 4 * dim);
        drop_path = new DropPath(dropPath);
        WindowSize = windowSize;
        RegisterComponents();
    }

    /// <summary>Stochastic-depth rate of this block (whether it draws random numbers in training).</summary>
    public double DropPathRate => drop_path.Rate;

    /// <summary>Window side in tokens; 0 for global attention.</summary>
    public int WindowSize { get; }

    /// <param name="x">(B, L, D) tokens; with windows, exactly the grid's patches (no class token).</param>
    public Tensor Forward(Tensor x, (int Rows, int Cols) grid)
    {
        using var scope = NewDisposeScope();
        var normed = norm1.call(x);
        var attended = WindowSize > 0 ? WindowAttention(normed, grid) : attn.call(normed);
        normed.Dispose();
        var y = x + drop_path.call(attended);
        attended.Dispose();
        var mlpOut = mlp.call(norm2.call(y));
        // Out of place: autograd still needs y (the input of norm2) for the backward pass.
        return (y + drop_path.call(mlpOut)).MoveToOuterDisposeScope();
    }

    private Tensor WindowAttention(Tensor x, (int Rows, int Cols) grid)
    {
        long batch = x.shape[0], dim = x.shape[2];
        if (x.shape[1] != (long)grid.Rows * grid.Cols)
            throw new InvalidOperationException("window attention needs the patch tokens only (no class token)");
        int wh = Math.Min(WindowSize, grid.Rows), ww = Math.Min(WindowSize, grid.Cols);
        int padH = (wh - grid.Rows % wh) % wh, padW = (ww - grid.Cols % ww) % ww;
        var map = x.reshape(batch, grid.Rows, grid.Cols, dim);
        if (padH > 0 || padW > 0) map = nn.functional.pad(map, [0, 0, 0, padW, 0, padH]);
        long rows = grid.Rows + padH, cols = grid.Cols + padW, nh = rows / wh, nw = cols / ww;
        var windows = map.reshape(batch, nh, wh, nw, ww, dim).permute(0, 1, 3, 2, 4, 5).reshape(batch * nh * nw, (long)wh * ww, dim);
        var attended = attn.call(windows);
        var merged = attended.reshape(batch, nh, nw, wh, ww, dim).permute(0, 1, 3, 2, 4, 5).reshape(batch, rows, cols, dim);
        if (padH > 0 || padW > 0) merged = merged.narrow(1, 0, grid.Rows).narrow(2, 0, grid.Cols);
        return merged.reshape(batch, (long)grid.Rows * grid.Cols, dim);
    }
}
