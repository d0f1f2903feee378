namespace VimDense.Config;

/// <summary>The options of a component that has none: any key in its section is an error.</summary>
public sealed record NoOptions;
