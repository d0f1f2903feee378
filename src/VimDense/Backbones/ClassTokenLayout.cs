using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// The arithmetic of class-token positions: insertion into and removal from channels-first sequences
/// (B, D, L), and splitting a (1, M + T, D) position embedding into its class rows and patch rows.
/// </summary>
public sealed record ClassTokenLayout(ClassTokenPlacement Placement, int Patches)
{
    public int Count => Placement switch { ClassTokenPlacement.None => 0, ClassTokenPlacement.Double => 2, _ => 1 };

    public int Length => Patches + Count;

    /// <summary>Sequence indices of the class tokens (ascending).</summary>
    public int[] Indices => Placement switch
    {
        ClassTokenPlacement.None => [],
        ClassTokenPlacement.Head => [0],
        ClassTokenPlacement.Middle => [Patches / 2],
        _ => [0, Patches + 1],
    };

    /// <summary>(B, D, M) patches and T class tokens (each (1, D, 1) or (B, D, 1)) to the (B, D, M + T) sequence.</summary>
    public Tensor Insert(Tensor patches, IReadOnlyList<Tensor> classTokens)
    {
        if (classTokens.Count != Count) throw new ArgumentException($"{Count} class tokens expected, {classTokens.Count} given");
        if (Count == 0) return patches.alias();
        var batch = patches.shape[0];
        var tokens = classTokens.Select(t => t.expand(batch, -1, -1)).ToArray();
        return Placement switch
        {
            ClassTokenPlacement.Head => cat([tokens[0], patches], 2),
            ClassTokenPlacement.Middle => cat([patches.narrow(2, 0, Patches / 2), tokens[0],
                patches.narrow(2, Patches / 2, Patches - Patches / 2)], 2),
            _ => cat([tokens[0], patches, tokens[1]], 2),
        };
    }

    /// <summary>(B, D, M + T) sequence to its (B, D, M) patch tokens (class tokens dropped at their real indices).</summary>
    public Tensor RemoveClassTokens(Tensor sequence) => Count == 0 ? sequence.alias() : Placement switch
    {
        ClassTokenPlacement.Head => sequence.narrow(2, 1, Patches),
        ClassTokenPlacement.Double => sequence.narrow(2, 1, Patches),
        _ => cat([sequence.narrow(2, 0, Patches / 2), sequence.narrow(2, Patches / 2 + 1, Patches - Patches / 2)], 2),
    };

    /// <summary>A (1, M + T, D) position embedding split into its T class rows (1, T, D) and M patch rows (1, M, D).</summary>
    public (Tensor ClassRows, Tensor PatchRows) SplitPositionRows(Tensor posEmbed)
    {
        if (posEmbed.shape[1] != Length)
            throw new ArgumentException($"position embedding has {posEmbed.shape[1]} rows, layout {Placement} with {Patches} patches needs {Length}");
        var asSequence = posEmbed.transpose(1, 2);                          // (1, D, M + T)
        var patchRows = RemoveClassTokens(asSequence).transpose(1, 2);
        var classRows = Count == 0
            ? posEmbed.narrow(1, 0, 0)
            : cat(Indices.Select(i => posEmbed.narrow(1, i, 1)).ToArray(), 1);
        return (classRows, patchRows);
    }

    /// <summary>The inverse of <see cref="SplitPositionRows"/>.</summary>
    public Tensor JoinPositionRows(Tensor classRows, Tensor patchRows)
    {
        var rows = Enumerable.Range(0, Count).Select(i => classRows.narrow(1, i, 1).transpose(1, 2)).ToArray();
        return Insert(patchRows.transpose(1, 2), rows).transpose(1, 2);
    }
}
