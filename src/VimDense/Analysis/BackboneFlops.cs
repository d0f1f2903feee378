using TorchSharp.Modules;
using VimDense.Backbones;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Analysis;

/// <summary>
/// The multiply-add rules of VimDense's own layers: the Vim mixer (which multiplies by its projections' weights
/// directly, so its rule counts them on the projections' rows), ViT attention's two matrix products, and the norms
/// of VimDense.Layers when norms are counted.
/// </summary>
public static class BackboneFlops
{
    /// <summary>The selective scan's multiply-adds per token, channel and state: Δ·A, B·(Δ·x), the state update, C·h.</summary>
    public const int ScanPerState = 4;

    /// <summary>The selective scan's multiply-adds per token and channel: Δ·x, the D skip, the z gate.</summary>
    public const int ScanPerChannel = 3;

    /// <summary>One direction's selective scan over (B, E, L) with N states (<see cref="ScanPerState"/>, <see cref="ScanPerChannel"/>).</summary>
    public static double SelectiveScan(long batch, long channels, long length, long states) =>
        (double)batch * length * channels * (ScanPerState * states + ScanPerChannel);

    internal static IEnumerable<(Type Type, FlopRule Rule)> Rules(bool countNorms)
    {
        yield return (typeof(BiMambaMixer), (m, i, _) => Mixer((BiMambaMixer)m, (Tensor)i));
        yield return (typeof(VitAttention), (_, i, _) => LayerFlops.Own(LayerFlops.Attention((Tensor)i)));
        if (!countNorms) yield break;
        yield return (typeof(RMSNorm), (m, i, _) => LayerFlops.Own(LayerFlops.Norm((Tensor)i, LayerFlops.HasParameters(m))));
        yield return (typeof(LayerNorm2d), (m, i, _) => LayerFlops.Own(LayerFlops.Norm((Tensor)i, LayerFlops.HasParameters(m))));
        yield return (typeof(SyncBatchNorm2d), (m, i, _) => LayerFlops.Own(LayerFlops.InferenceBatchNorm((Tensor)i, LayerFlops.HasParameters(m))));
    }

    /// <summary>
    /// One mixer call on (B, D, L) tokens: in_proj to x and z, per direction the depthwise conv, x_proj, dt_proj and the
    /// selective scan (on the mixer's own row), then out_proj. Widths are read from the weights.
    /// </summary>
    private static IEnumerable<(string Path, double MultiplyAdds)> Mixer(BiMambaMixer mixer, Tensor hidden)
    {
        var children = mixer.named_children().ToDictionary(c => c.name, c => c.module);
        long batch = hidden.shape[0], length = hidden.shape[2];
        double Tokens(string name) => (double)batch * length * Weight(children, name).numel();   // a linear map applied per token
        yield return ("in_proj", Tokens("in_proj"));
        foreach (var suffix in mixer.Bidirectional ? new[] { "", "_b" } : [""])
        {
            yield return ("conv1d" + suffix, (double)batch * length * Weight(children, "conv1d" + suffix).numel());
            yield return ("x_proj" + suffix, Tokens("x_proj" + suffix));
            yield return ("dt_proj" + suffix, Tokens("dt_proj" + suffix));
            yield return ("", SelectiveScan(batch, mixer.Inner, length, mixer.DState));
        }
        yield return ("out_proj", Tokens("out_proj"));
    }

    private static Tensor Weight(Dictionary<string, nn.Module> children, string name) => children[name] switch
    {
        Linear linear => linear.weight!,
        Conv1d conv => conv.weight!,
        var other => throw new InvalidOperationException($"mixer child {name} is a {other.GetType().Name}, expected Linear or Conv1d"),
    };
}
