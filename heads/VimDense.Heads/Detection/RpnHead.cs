using TorchSharp;
using TorchSharp.Modules;
using VimDense.Heads.Necks;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's StandardRPNHead with <c>conv_dims = [-1, -1]</c>: two 3×3 convolutions with ReLU (no norm)
/// shared over the levels, then 1×1 objectness logits (A per location) and anchor deltas (4A).
/// All weights normal(0, 0.01), biases 0.
/// </summary>
public sealed class RpnHead : nn.Module<IReadOnlyList<Tensor>, (List<Tensor> Objectness, List<Tensor> Deltas)>
{
    private readonly Sequential conv;
    private readonly Conv2d objectness_logits;
    private readonly Conv2d anchor_deltas;

    public RpnHead(int channels, int anchorsPerLocation, int convLayers = 2) : base(nameof(RpnHead))
    {
        conv = nn.Sequential(Enumerable.Range(0, convLayers).Select(i =>
            ($"conv{i}", (nn.Module<Tensor, Tensor>)new NormedConv2d(channels, channels, 3, bias: true, layerNorm: false, relu: true))));
        objectness_logits = nn.Conv2d(channels, anchorsPerLocation, 1);
        anchor_deltas = nn.Conv2d(channels, anchorsPerLocation * 4, 1);
        RegisterComponents();
        using (no_grad())
            foreach (var (name, p) in named_parameters())
                if (name.EndsWith("weight")) nn.init.normal_(p, 0, 0.01);
                else nn.init.zeros_(p);
    }

    /// <summary>Per level: objectness (N, A, H, W) and deltas (N, 4A, H, W).</summary>
    public override (List<Tensor> Objectness, List<Tensor> Deltas) forward(IReadOnlyList<Tensor> features)
    {
        var objectness = new List<Tensor>();
        var deltas = new List<Tensor>();
        foreach (var f in features)
        {
            var t = conv.call(f);
            objectness.Add(objectness_logits.call(t));
            deltas.Add(anchor_deltas.call(t));
        }
        return (objectness, deltas);
    }
}
