namespace VimDense.Experiments;

/// <summary>What a format-only evaluation wrote: the number of images predicted and the files or folders written.</summary>
public sealed record FormatOnlyOutputs(int Images, IReadOnlyList<string> Paths)
{
    /// <summary>One line for the console.</summary>
    public string Describe() => $"format-only: {Images} images, nothing scored; wrote {string.Join(", ", Paths)}";
}
