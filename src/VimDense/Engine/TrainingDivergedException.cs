namespace VimDense.Engine;

/// <summary>The loss became NaN or infinite; the run stopped without saving the broken state.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
