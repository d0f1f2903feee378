using static TorchSharp.torch;

namespace VimDense.Structures;

/// <summary>Box conversions between <see cref="BoxMode"/>s, for plain arrays and (N, 4) tensors.</summary>
public static class BoxConversion
{
    /// <summary>One box [4] converted from <paramref name="from"/> to <paramref name="to"/> (a new array).</summary>
    public static double[] Convert(ReadOnlySpan<double> box, BoxMode from, BoxMode to)
    {
        if (box.Length != 4) throw new ArgumentException($"a box has 4 numbers, got {box.Length}", nameof(box));
        if (from == to) return box.ToArray();
        return from == BoxMode.XywhAbs
            ? [box[0], box[1], box[0] + box[2], box[1] + box[3]]
            : [box[0], box[1], box[2] - box[0], box[3] - box[1]];
    }

    /// <summary>(N, 4) boxes converted from <paramref name="from"/> to <paramref name="to"/> (same dtype and device).</summary>
    public static Tensor Convert(Tensor boxes, BoxMode from, BoxMode to)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
            throw new ArgumentException($"boxes must be (N, 4), got [{string.Join(", ", boxes.shape)}]", nameof(boxes));
        if (from == to) return boxes.clone();
        var xy = boxes[.., ..2];
        var second = from == BoxMode.XywhAbs ? xy + boxes[.., 2..] : boxes[.., 2..] - xy;
        return cat([xy, second], 1);
    }
}
