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

    /// <summary>2-D rotary position embedding on the hidden states before every block (if_rope; the det and seg Vim-S configs).</summary>
    public bool Rope { get; init; }

    /// <summary>RoPE on the carried residual too (if_rope_residual); needs <see cref="Rope"/>.</summary>
    public bool RopeResidual { get; init; }

    /// <summary>RoPE's pretraining grid side (pt_hw_seq_len): positions are stretched onto it.</summary>
    public int PtHwSeqLen { get; init; } = Layers.VisionRotaryEmbedding.DefaultPretrainSide;
}
