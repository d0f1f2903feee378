using VimDense.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// Pre-norm ViT encoder layer used by the Segmenter decoder: x + DropPath(MHA(LN(x))), then
/// x + DropPath(MLP(LN(x))) with a GELU MLP of ratio 4. Linear layers trunc-normal(0.02), bias 0.
/// </summary>
internal sealed class TransformerEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm norm2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly StochasticDepth drop_path;
    private readonly int heads;

    public TransformerEncoderLayer(int dim, int heads, double mlpRatio, double dropPath) : base(nameof(TransformerEncoderLayer))
    {
        if (dim % heads != 0) throw new ArgumentException($"embedding dim {dim} is not divisible by {heads} heads");
        this.heads = heads;
        norm1 = nn.LayerNorm(dim);
        qkv = nn.Linear(dim, dim * 3);
        proj = nn.Linear(dim, dim);
        norm2 = nn.LayerNorm(dim);
        var hidden = (int)(dim * mlpRatio);
        fc1 = nn.Linear(dim, hidden);
        fc2 = nn.Linear(hidden, dim);
        drop_path = new StochasticDepth(dropPath);
        RegisterComponents();
        using (no_grad())
            foreach (var linear in new[] { qkv, proj, fc1, fc2 })
            {
                TruncatedNormal.Fill(linear.weight, 0.02);
                nn.init.zeros_(linear.bias!);
            }
    }

    public override Tensor forward(Tensor x)
    {
        x = x + drop_path.call(Attention(norm1.call(x)));
        return x + drop_path.call(Autocast.Linear(fc2, nn.functional.gelu(Autocast.Linear(fc1, norm2.call(x)))));
    }

    private Tensor Attention(Tensor x)
    {
        var (b, n, c) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkvSplit = Autocast.Linear(qkv, x).reshape(b, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkvSplit[0], qkvSplit[1], qkvSplit[2]);
        var attention = Autocast.Float(Autocast.MatMul(q, k.transpose(-2, -1))).mul(1.0 / Math.Sqrt(c / heads)).softmax(-1); // softmax in float32
        var y = Autocast.MatMul(attention, v).transpose(1, 2).reshape(b, n, c);
        return Autocast.Linear(proj, y);
    }
}
