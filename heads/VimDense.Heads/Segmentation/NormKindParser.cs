namespace VimDense.Heads.Segmentation;

/// <summary>Reads <see cref="NormKind"/> from config strings ("BN", "SyncBN", "none").</summary>
public static class NormKindParser
{
    public static NormKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "bn" or "batchnorm" => NormKind.BatchNorm,
        "syncbn" or "syncbatchnorm" => NormKind.SyncBatchNorm,
        "none" or "" => NormKind.None,
        _ => throw new UserInputException($"norm '{text}': expected BN, SyncBN or none"),
    };
}
