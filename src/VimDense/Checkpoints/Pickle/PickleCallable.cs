namespace VimDense.Checkpoints.Pickle;

/// <summary>
/// A global the restricted unpickler may call: a pure C# function that builds plain data from its
/// arguments. <paramref name="StateIsContent"/>: a later BUILD merges its dictionary state into the
/// result (argparse.Namespace keeps its fields in <c>__dict__</c>); otherwise BUILD state is dropped
/// (e.g. the <c>_metadata</c> attribute of a state-dict OrderedDict).
/// </summary>
internal sealed record PickleCallable(string Name, Func<object?[], object?> Call, bool StateIsContent = false);
