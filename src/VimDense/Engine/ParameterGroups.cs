using TorchSharp;

namespace VimDense.Engine;

/// <summary>Splits a model's trainable parameters into groups by (layer-decay scale, weight decay on/off).</summary>
public static class ParameterGroups
{
    public static IReadOnlyList<ParameterGroup> Build(torch.nn.Module model, double weightDecay, WeightDecayRule decayRule, LayerDecayRule? layerDecay)
    {
        var groups = new Dictionary<(int Layer, bool Decay), List<(string, TorchSharp.Modules.Parameter)>>();
        var normParameters = decayRule.ExemptTorchNorms ? WeightDecayRule.TorchNormParameters(model) : new HashSet<TorchSharp.Modules.Parameter>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            var key = (layerDecay?.LayerId(name) ?? 0, decayRule.Decays(name, parameter.dim(), normParameters.Contains(parameter)));
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add((name, parameter));
        }
        return groups.OrderBy(g => g.Key.Layer).ThenBy(g => g.Key.Decay)
            .Select(g => new ParameterGroup(
                $"layer_{g.Key.Layer}_{(g.Key.Decay ? "decay" : "no_decay")}",
                layerDecay is null ? 1.0 : Math.Pow(layerDecay.Rate, layerDecay.NumLayers + 1 - g.Key.Layer),
                g.Key.Decay ? weightDecay : 0.0,
                g.Value))
            .ToList();
    }
}
