namespace VimDense.Datasets;

/// <summary>
/// One sample cannot be used (missing partner file, truncated or corrupt image, label out of range...).
/// The message names the file. Loaders may skip such samples and count them when asked to.
/// It is a <see cref="FormatException"/> (the data is not what the format promises), which the CLI reports
/// as one line with exit code 1.
/// </summary>
public sealed class BadSampleException(string message, Exception? inner = null) : FormatException(message, inner);
