namespace VimDense.Config;

/// <summary>
/// Named builders of one kind of component (backbones, necks, heads): configs refer to components by name, and a
/// new component is added by registering one builder. Lookups are case-insensitive; an unknown name is a user
/// error listing the known ones.
/// </summary>
public sealed class ComponentRegistry<TContext, TResult>(string kind)
{
    private readonly Dictionary<string, Func<TContext, TResult>> builders = new(StringComparer.OrdinalIgnoreCase);

    public string Kind { get; } = kind;
    public IReadOnlyCollection<string> Names => builders.Keys;

    public ComponentRegistry<TContext, TResult> Register(string name, Func<TContext, TResult> builder)
    {
        if (!builders.TryAdd(name, builder)) throw new ArgumentException($"{Kind} '{name}' is already registered");
        return this;
    }

    public bool Contains(string name) => builders.ContainsKey(name);

    public TResult Build(string name, TContext context) => builders.TryGetValue(name, out var builder)
        ? builder(context)
        : throw new UserInputException($"{Kind} '{name}': expected one of {string.Join(", ", builders.Keys.Order())}");
}
