namespace VimDense.Heads.Segmentation;

/// <summary>What every decode head is told besides its own settings: the weight of its loss in the total.</summary>
public abstract record DecodeHeadOptions
{
    public double LossWeight { get; init; } = 1.0;
}
