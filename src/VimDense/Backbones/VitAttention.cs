using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// Multi-head self-attention of timm's ViT/DeiT (<c>qkv</c>, <c>proj</c>), over (B, L, D) tokens.
/// The kernel is torch's scaled_dot_product_attention ("sdpa") or the explicit
/// softmax(q kᵀ / sqrt(d)) v ("math", as timm's DeiT of 2021 and the Vim paper's baseline computed it).
/// </summary>
public sealed class VitAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int heads;
    private readonly bool useSdpa;

    public VitAttention(int dim, int heads, bool useSdpa) : base(nameof(VitAttention))
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads");
        this.heads = heads;
        this.useSdpa = useSdpa;
        qkv = nn.Linear(dim, 3L * dim);
        proj = nn.Linear(dim, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1], dim = x.shape[2];
        var headDim = dim / heads;
        var parts = Autocast.Linear(qkv, x).reshape(batch, length, 3, heads, headDim).permute(2, 0, 3, 1, 4);
        Tensor q = parts[0], k = parts[1], v = parts[2];               // (B, heads, L, hd)
        Tensor attended;
        if (useSdpa) attended = nn.functional.scaled_dot_product_attention(q, k, v);
        else
        {
            var weights = Autocast.Float(Autocast.MatMul(q.mul(1.0 / Math.Sqrt(headDim)), k.transpose(-2, -1))).softmax(-1); // softmax in float32
            attended = Autocast.MatMul(weights, v);
            weights.Dispose();
        }
        return Autocast.Linear(proj, attended.transpose(1, 2).reshape(batch, length, dim)).MoveToOuterDisposeScope();
    }
}
