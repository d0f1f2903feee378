namespace VimDense.Datasets.Classification;

/// <summary>One labelled image of a classification set: its path and class index.</summary>
public sealed record ClassificationSample(string Path, int Label);
