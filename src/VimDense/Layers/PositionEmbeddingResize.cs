using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Resizes a grid of absolute position embeddings like the reference <c>interpolate_pos_embed</c>
/// (vim/utils.py): rows laid out row-major on a (h, w) grid, bicubic, align_corners = False.
/// </summary>
public static class PositionEmbeddingResize
{
    /// <param name="rows">(1, h*w, D) or (h*w, D) embeddings of the patch grid only (no class rows).</param>
    /// <returns>(1, newH*newW, D) embeddings.</returns>
    public static Tensor Resize(Tensor rows, (int H, int W) from, (int H, int W) to)
    {
        var dim = rows.shape[^1];
        if (rows.numel() != (long)from.H * from.W * dim)
            throw new ArgumentException($"position embedding of shape [{string.Join(", ", rows.shape)}] is not a {from.H}x{from.W} grid");
        if (from == to) return rows.reshape(1, (long)from.H * from.W, dim);
        using var scope = NewDisposeScope();
        var grid = rows.reshape(1, from.H, from.W, dim).permute(0, 3, 1, 2).to_type(ScalarType.Float32);
        var resized = nn.functional.interpolate(grid, size: [to.H, to.W], mode: InterpolationMode.Bicubic, align_corners: false);
        return resized.permute(0, 2, 3, 1).reshape(1, (long)to.H * to.W, dim).to_type(rows.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The grid a checkpoint's <paramref name="count"/> patch rows are laid on: the model's grid when they fill it
    /// (so a non-square 8 x 12 embedding is that grid), else a square, else null.
    /// </summary>
    public static (int H, int W)? SourceGrid(long count, (int H, int W) target) =>
        count == (long)target.H * target.W ? target : SquareSide(count) is int side ? (side, side) : null;

    /// <summary>The side of a square grid of <paramref name="count"/> rows, or null when it is not a square.</summary>
    public static int? SquareSide(long count)
    {
        var side = (long)Math.Round(Math.Sqrt(count));
        return side * side == count ? (int)side : null;
    }
}
