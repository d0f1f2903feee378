namespace VimDense.Backbones;

/// <summary>Vision Mamba options (hustvl/Vim models_mamba.VisionMamba arguments) beyond the common <see cref="BackboneOptions"/>.</summary>
public sealed record VimOptions : BackboneOptions
{
    /// <summary>Pooling when there is no class token (if_cls_token=False).</summary>
    public FinalPool FinalPool { get; init; } = FinalPool.Mean;

    public VimMixer Mixer { get; init; } = VimMixer.V2;

    /// <summary>Divide the sum of the two mixer directions by 2 (if_divide_out, true for all released models).</summary>
    public bool DivideOut { get; init; } = true;

    /// <summary>The "bidirectional layer" ablation: blocks processed in pairs, the second on the reversed sequence.</summary>
    public bool BidirectionalPairs { get; init; }

    public int DState { get; init; } = 16;
    public int Expand { get; init; } = 2;
    public int ConvWidth { get; init; } = 4;
}
