using TorchSharp;
using VimDense.Engine.Distributed;
using static TorchSharp.torch;

namespace VimDense.Tests.Distributed;

/// <summary>A test that needs a CUDA device for libtorch and libnccl.so.2; reported as skipped elsewhere (CI has neither).</summary>
public sealed class NcclFactAttribute : FactAttribute
{
    public NcclFactAttribute()
    {
        if (!Available.Value) Skip = "needs a CUDA GPU (CUDA build) and libnccl.so.2 (pip nvidia-nccl-cu12, or VIMDENSE_NCCL_LIB)";
    }

    private static readonly Lazy<bool> Available = new(() => NcclProcessGroup.IsAvailable);
}

public class NcclTests
{
    [NcclFact]
    public void One_rank_communicator_reduces_and_broadcasts_cuda_tensors_in_place()
    {
        using var group = NcclProcessGroup.Create(SingleProcessGroup.Instance);
        using var values = arange(1000, dtype: ScalarType.Float32, device: CUDA);
        group.AllReduceSum(values);
        group.Broadcast(values);
        cuda.synchronize();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i), values.cpu().data<float>().ToArray());
        using var strided = ones(new long[] { 4, 3 }, device: CUDA).t();
        group.AllReduceSum(strided);
        Assert.True(strided.eq(1).all().item<bool>());
        Assert.True(group.AllAgree(true));
    }
}
