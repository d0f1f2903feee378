using TorchSharp;
using VimDense.Engine.Distributed;
using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Synchronised batch norm of (N, C, H, W) maps (torch.nn.SyncBatchNorm, mmseg's "SyncBN"): in training on several
/// ranks the batch statistics are those of the global batch (every rank's pixels), computed in two passes (mean,
/// then centred sum of squares) through <see cref="AllReduceSum"/>, so each rank's backward also carries every other
/// rank's gradient of the statistics. In one process, and in evaluation, it is exactly BatchNorm2d (the same
/// functional call, running-statistics update and counter). Parameters and buffers are named as BatchNorm2d's
/// (weight, bias, running_mean, running_var, num_batches_tracked), so checkpoints move between the two.
/// </summary>
public sealed class SyncBatchNorm2d : nn.Module<Tensor, Tensor>
{
    private readonly double eps, momentum;
    private readonly Func<IProcessGroup> group;

    /// <param name="group">The ranks to synchronise over (default: <see cref="ProcessGroups.Current"/> at each forward).</param>
    public SyncBatchNorm2d(long channels, double eps = 1e-5, double momentum = 0.1, Func<IProcessGroup>? group = null) : base(nameof(SyncBatchNorm2d))
    {
        (this.eps, this.momentum) = (eps, momentum);
        this.group = group ?? (() => ProcessGroups.Current);
        weight = nn.Parameter(ones(channels));
        bias = nn.Parameter(zeros(channels));
        running_mean = zeros(channels);
        running_var = ones(channels);
        num_batches_tracked = zeros(1, ScalarType.Int64).squeeze();
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        register_buffer("num_batches_tracked", num_batches_tracked);
    }

    // Fields named as BatchNorm2d's state dict: Module.to() replaces the registered tensors and assigns the field of
    // the same name, which a property's backing field is not (a moved model would keep computing on the old tensors).
#pragma warning disable IDE1006
    private TorchSharp.Modules.Parameter weight;
    private TorchSharp.Modules.Parameter bias;
    private Tensor running_mean;
    private Tensor running_var;
    private Tensor num_batches_tracked;
#pragma warning restore IDE1006

    public TorchSharp.Modules.Parameter Weight => weight;
    public TorchSharp.Modules.Parameter Bias => bias;
    public Tensor RunningMean => running_mean;
    public Tensor RunningVar => running_var;
    public Tensor NumBatchesTracked => num_batches_tracked;

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"SyncBatchNorm2d expects (N, C, H, W), got shape [{string.Join(", ", x.shape)}]");
        var ranks = group();
        // As torch's F.batch_norm refuses it: one value per channel has no variance (the running variance would become
        // NaN/Inf, e.g. UperNet's 1×1 pyramid pooling at batch 1). Across ranks the global count decides (below).
        if (training && ranks.Size == 1 && x.shape[0] * x.shape[2] * x.shape[3] < 2)
            throw new ArgumentException($"SyncBN in training needs more than one value per channel, got an input of shape [{string.Join(", ", x.shape)}]: " +
                                        "raise data.batch_size to 2 or more (or train on several ranks)");
        if (training)
            using (no_grad()) num_batches_tracked.add_(1);
        if (!training || ranks.Size == 1)
            return nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps);
        return GlobalBatchNorm(x, ranks);
    }

    private Tensor GlobalBatchNorm(Tensor x, IProcessGroup ranks)
    {
        long[] dims = [0, 2, 3];
        var channels = x.shape[1];
        var localCount = x.shape[0] * x.shape[2] * x.shape[3];
        // Pass 1: Σx and the pixel count in one allreduce; pass 2: Σ(x − mean)² (more accurate than Σx² − N·mean²).
        using var count = full(1, (double)localCount, dtype: x.dtype, device: x.device);
        var sums = AllReduceSum.Apply(cat([x.sum(dims), count]), ranks);
        var total = sums[channels].to(ScalarType.Float64).item<double>();
        if (total < 2) throw new ArgumentException($"SyncBatchNorm2d needs more than one value per channel over all ranks (got {total})");
        var mean = sums.narrow(0, 0, channels) / total;
        var centred = x - mean.view(1, -1, 1, 1);
        var variance = AllReduceSum.Apply(centred.square().sum(dims), ranks) / total;
        using (no_grad())
        {
            running_mean.mul_(1 - momentum).add_(mean.detach(), alpha: momentum);
            running_var.mul_(1 - momentum).add_(variance.detach() * (total / (total - 1)), alpha: momentum);
        }
        var scale = weight * rsqrt(variance + eps);
        return centred * scale.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1);
    }
}
