using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>
/// Averages gradients over the ranks once per optimizer step: the gradients are packed, in reverse parameter order
/// (the order backward produces them, as DDP buckets them), into flat buckets of about <paramref name="bucketBytes"/>
/// bytes of one element type; each bucket is summed across ranks in one allreduce, divided by the world size and
/// copied back. Parameters without a gradient on this rank take part with zeros, so every rank sends the same
/// buckets.
/// </summary>
public sealed class GradientAverager(IProcessGroup group, long bucketBytes = 25L << 20)
{
    /// <summary>Bytes sent by the last <see cref="Average"/> (for bandwidth figures).</summary>
    public long LastBytes { get; private set; }

    public void Average(IReadOnlyList<Tensor> parameters)
    {
        LastBytes = 0;
        if (group.Size == 1) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var bucket = new List<Tensor>();
        long bytes = 0;
        foreach (var parameter in parameters.Reverse())
        {
            if (!parameter.requires_grad) continue;
            if (parameter.grad is null) parameter.grad = zeros_like(parameter).MoveToOuterDisposeScope();
            var grad = parameter.grad!;
            if (bucket.Count > 0 && (bucket[0].dtype != grad.dtype || bytes + Bytes(grad) > bucketBytes))
            {
                Flush(bucket);
                bytes = 0;
            }
            bucket.Add(grad);
            bytes += Bytes(grad);
        }
        Flush(bucket);
    }

    private void Flush(List<Tensor> bucket)
    {
        if (bucket.Count == 0) return;
        using var flat = cat(bucket.Select(g => g.reshape(-1)).ToList());
        group.AllReduceSum(flat);
        flat.div_(group.Size);
        long offset = 0;
        foreach (var grad in bucket)
        {
            var count = grad.numel();
            grad.copy_(flat.narrow(0, offset, count).view_as(grad));
            offset += count;
        }
        LastBytes += Bytes(flat);
        bucket.Clear();
    }

    private static long Bytes(Tensor t) => t.numel() * t.element_size();
}
