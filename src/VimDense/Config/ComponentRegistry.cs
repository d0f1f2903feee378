namespace VimDense.Config;

/// <summary>
/// The components of one kind (backbones, necks, decode heads, ...) by type name, each with its own options record:
/// a config section names a component by its "type" key and the rest of the section binds into that record (whose
/// property initialisers are the one place holding its defaults). Assemblies fill a registry with
/// <see cref="Register{TOptions}"/>; a user's assembly adds its own components the same way. Lookups are
/// case-insensitive; an unknown type is a user error listing the known ones.
/// </summary>
public sealed class ComponentRegistry<TContext, TResult>(string kind)
{
    private sealed record Entry(Type OptionsType, Func<ConfigSection, object> Bind, Func<object, TContext, TResult> Build);

    private readonly Dictionary<string, Entry> entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock gate = new();

    public string Kind { get; } = kind;

    public IReadOnlyCollection<string> Names
    {
        get { lock (gate) return entries.Keys.Order().ToList(); }
    }

    /// <summary>Adds component <paramref name="type"/>, configured by a <typeparamref name="TOptions"/> record.</summary>
    public ComponentRegistry<TContext, TResult> Register<TOptions>(string type, Func<TOptions, TContext, TResult> build) where TOptions : class
    {
        lock (gate)
            if (!entries.TryAdd(type, new Entry(typeof(TOptions), s => s.Bind<TOptions>("type")!, (o, c) => build((TOptions)o, c))))
                throw new ArgumentException($"{Kind} '{type}' is already registered");
        return this;
    }

    /// <summary>Adds a component that takes no options (such as "none").</summary>
    public ComponentRegistry<TContext, TResult> Register(string type, Func<TContext, TResult> build) =>
        Register<NoOptions>(type, (_, context) => build(context));

    public bool Contains(string type)
    {
        lock (gate) return entries.ContainsKey(type);
    }

    /// <summary>The options record of component <paramref name="type"/>.</summary>
    public Type OptionsType(string type) => Find(type, null, null).OptionsType;

    /// <summary>Builds the component a section names by its "type" key, from the section's other keys.</summary>
    public TResult Build(ConfigSection section, TContext context)
    {
        var (entry, options) = BindSection(section);
        return entry.Build(options, context);
    }

    /// <summary>Builds component <paramref name="type"/> from <paramref name="options"/> (a section without a "type" key, e.g. model.backbone.options).</summary>
    public TResult Build(string type, ConfigSection options, TContext context, string? typeKey = null)
    {
        var entry = Find(type, typeKey, options);
        return entry.Build(entry.Bind(options), context);
    }

    /// <summary>The options record a section binds into, without building the component (checks a config up front).</summary>
    public object BindOptions(ConfigSection section) => BindSection(section).Options;

    /// <summary>The options record <paramref name="options"/> binds into for component <paramref name="type"/>.</summary>
    public object BindOptions(string type, ConfigSection options, string? typeKey = null) => Find(type, typeKey, options).Bind(options);

    /// <summary>Builds component <paramref name="type"/> from options given in code.</summary>
    public TResult Build<TOptions>(string type, TOptions options, TContext context) where TOptions : class
    {
        var entry = Find(type, null, null);
        if (!entry.OptionsType.IsInstanceOfType(options))
            throw new ArgumentException($"{Kind} '{type}' takes {entry.OptionsType.Name}, not {typeof(TOptions).Name}", nameof(options));
        return entry.Build(options, context);
    }

    private (Entry Entry, object Options) BindSection(ConfigSection section)
    {
        var type = section.Type ?? throw new UserInputException(
            $"{section.Path}.type (from {section.DescribeOrigin()}): missing; expected a {Kind}, one of {string.Join(", ", Names)}");
        var entry = Find(type, $"{section.Path}.type", section);
        return (entry, entry.Bind(section));
    }

    /// <param name="typeKey">the config key that named the type, for messages (with the origin of <paramref name="section"/>'s keys)</param>
    private Entry Find(string type, string? typeKey, ConfigSection? section)
    {
        lock (gate)
        {
            if (entries.TryGetValue(type, out var entry)) return entry;
            var known = string.Join(", ", entries.Keys.Order());
            var message = typeKey is null
                ? $"{Kind} '{type}': expected one of {known}"
                : $"{typeKey} '{type}' (from {section?.Origins.Describe(typeKey) ?? "code"}): expected a {Kind}, one of {known}";
            throw new UserInputException(message + DidYouMean.Suffix(type, entries.Keys));
        }
    }
}
