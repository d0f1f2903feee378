namespace VimDense.Analysis;

/// <summary>
/// One module of a <see cref="ComplexityReport"/>: its dotted name ("" for the whole model), type, depth in the module
/// tree (0 for the model), parameters and multiply-adds of its whole subtree, and how often it was called.
/// </summary>
public sealed record ComplexityRow(string Name, string Type, int Depth, long Parameters, double Flops, int Calls);
