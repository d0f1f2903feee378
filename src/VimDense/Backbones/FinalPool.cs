namespace VimDense.Backbones;

/// <summary>How a Vim classifier without class token pools its final tokens.</summary>
public enum FinalPool
{
    /// <summary>Mean over the tokens.</summary>
    Mean,
    /// <summary>Max over the per-token logits.</summary>
    Max,
    /// <summary>The last token.</summary>
    None,
}
