using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// 2-D rotary position embedding of hustvl/Vim (<c>vim/rope.py</c> <c>VisionRotaryEmbeddingFast</c>, from EVA-02),
/// on channels-first token sequences (B, D, L):
/// - frequencies f_k = 10000^(-2k/(D/2)), k &lt; D/4, each used for two adjacent channels;
/// - positions are stretched onto the pretraining grid: row r of R gets r / R · <c>pt_hw_seq_len</c>, column c of C
///   gets c / C · <c>pt_hw_seq_len</c>;
/// - channels [0, D/2) rotate with the row position, [D/2, D) with the column position; token (r, c) is row-major
///   index r·C + c; out = x·cos + rotate_half(x)·sin with rotate_half(x1, x2) = (−x2, x1) on adjacent pairs.
/// The reference builds its tables once for the square grid img_size / patch_size; here they are built for the grid
/// of the input (equal for the reference's sizes; the natural extension for other and non-square grids).
/// Which tokens rotate follows the reference: with class tokens, a sequence of odd length keeps its first token
/// as it is and rotates the others with the grid's tables, whatever sits where (the middle class token of the
/// classification models is rotated with the position of the patch whose slot it takes; the patch at index 0 is
/// not rotated); an even-length one rotates all. A sequence of patches only rotates all (the reference would fail
/// for an odd grid). Any other length has no table and is an error, as in the reference.
/// The tables are not parameters and not saved (the reference's <c>rope.freqs_cos/sin</c> buffers are dropped on load).
/// </summary>
public sealed class VisionRotaryEmbedding : IDisposable
{
    /// <summary>The reference's pretraining grid side (<c>pt_hw_seq_len</c>, 14 = 224 / 16).</summary>
    public const int DefaultPretrainSide = 14;

    private const double Theta = 10000;
    private (int Rows, int Cols, string Device) cachedKey;
    private Tensor? cachedCos, cachedSin;

    public VisionRotaryEmbedding(int embedDim, int pretrainSide = DefaultPretrainSide)
    {
        if (embedDim <= 0 || embedDim % 4 != 0)
            throw new UserInputException($"RoPE needs an embedding width divisible by 4 (two axes of channel pairs), got {embedDim}");
        if (pretrainSide <= 0) throw new UserInputException($"pt_hw_seq_len {pretrainSide}: must be positive");
        EmbedDim = embedDim;
        PretrainSide = pretrainSide;
    }

    public int EmbedDim { get; }
    public int PretrainSide { get; }

    /// <summary>cos and sin tables (D, R·C), float32 on the CPU, as the reference's freqs_cos / freqs_sin transposed.</summary>
    public (Tensor Cos, Tensor Sin) Tables(int rows, int cols)
    {
        using var scope = NewDisposeScope();
        var half = EmbedDim / 2;
        // As the reference: 1 / theta^(arange(0, half, 2) / half), float32 arithmetic.
        var exponents = arange(0, half, 2, dtype: ScalarType.Int64).narrow(0, 0, half / 2).to_type(ScalarType.Float32) / half;
        var frequencies = pow(tensor((float)Theta), exponents).reciprocal();
        var rowAngles = Angles(rows, frequencies);                               // (R, half)
        var colAngles = Angles(cols, frequencies);                               // (C, half)
        var angles = cat([
            rowAngles.unsqueeze(1).expand(rows, cols, half),
            colAngles.unsqueeze(0).expand(rows, cols, half)], 2).reshape((long)rows * cols, EmbedDim);
        var table = angles.t();
        return (table.cos().contiguous().MoveToOuterDisposeScope(), table.sin().contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>Rotates the tokens of a (B, D, L) sequence laid over a <paramref name="grid"/> of patches (see the class notes).</summary>
    public Tensor Apply(Tensor sequence, (int Rows, int Cols) grid)
    {
        var length = sequence.shape[2];
        var patches = (long)grid.Rows * grid.Cols;
        var skip = length == patches ? 0 : length % 2;
        if (sequence.shape[1] != EmbedDim || length - skip != patches)
            throw new UserInputException(
                $"RoPE: a sequence of {length} tokens of width {sequence.shape[1]} has no table: the {grid.Rows}x{grid.Cols} grid " +
                $"has {patches} positions of width {EmbedDim}, and the reference rotates all tokens of an even-length sequence " +
                "and all but the first of an odd one (class tokens: only a head or middle one with an even patch count)");
        var (cos, sin) = CachedTables(grid, sequence);
        using var scope = NewDisposeScope();
        var spatial = skip == 0 ? sequence : sequence.narrow(2, skip, patches);
        var rotated = spatial * cos + RotateHalf(spatial) * sin;
        var result = skip == 0 ? rotated : cat([sequence.narrow(2, 0, skip), rotated], 2);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>(x1, x2) → (−x2, x1) on adjacent channel pairs of a (B, D, L) tensor.</summary>
    public static Tensor RotateHalf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pairs = x.reshape(x.shape[0], x.shape[1] / 2, 2, x.shape[2]);
        var rotated = stack([pairs.select(2, 1).neg(), pairs.select(2, 0)], 2);
        return rotated.reshape(x.shape).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        cachedCos?.Dispose();
        cachedSin?.Dispose();
        cachedCos = cachedSin = null;
    }

    /// <summary>Positions arange(n) / n · pt_hw_seq_len times the frequencies (outer product), each column twice.</summary>
    private Tensor Angles(int count, Tensor frequencies)
    {
        var positions = arange(count, dtype: ScalarType.Float32) / count * PretrainSide;
        return outer(positions, frequencies).repeat_interleave(2, dim: 1);
    }

    /// <summary>The tables of the last grid, device and dtype used: built once per shape instead of every layer.</summary>
    private (Tensor Cos, Tensor Sin) CachedTables((int Rows, int Cols) grid, Tensor like)
    {
        // float32 tables as the reference's buffers: other input types are promoted by the product, as there.
        var key = (grid.Rows, grid.Cols, like.device.ToString());
        if (cachedCos is null || cachedKey != key)
        {
            Dispose();
            var (cos, sin) = Tables(grid.Rows, grid.Cols);
            cachedCos = OnDevice(cos, like.device);
            cachedSin = OnDevice(sin, like.device);
            cachedKey = key;
        }
        return (cachedCos, cachedSin!);
    }

    private static Tensor OnDevice(Tensor table, Device device)
    {
        var moved = table.to(device);
        if (!ReferenceEquals(moved, table)) table.Dispose();
        return moved.DetachFromDisposeScope();
    }
}
