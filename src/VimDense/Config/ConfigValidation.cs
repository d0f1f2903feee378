using Newtonsoft.Json.Serialization;

namespace VimDense.Config;

/// <summary>
/// Checks a bound options record against the <see cref="ConfigRuleAttribute"/>s of its properties (and of the
/// records it holds), naming the first bad key with its value and origin:
/// "train.checkpoint_interval = 0 (from --set train.checkpoint_interval=0): must be >= 1".
/// </summary>
public static class ConfigValidation
{
    private static readonly DefaultContractResolver Resolver = new() { NamingStrategy = new SnakeCaseNamingStrategy() };

    public static void Check(object? options, string path, ConfigOrigins origins)
    {
        if (options is null || options is ConfigSection || Resolver.ResolveContract(options.GetType()) is not JsonObjectContract contract) return;
        foreach (var property in contract.Properties)
        {
            if (property.Ignored || !property.Readable || property.ValueProvider is null || property.AttributeProvider is null) continue;
            var key = path.Length == 0 ? property.PropertyName! : $"{path}.{property.PropertyName}";
            var value = property.ValueProvider.GetValue(options);
            foreach (ConfigRuleAttribute rule in property.AttributeProvider.GetAttributes(typeof(ConfigRuleAttribute), inherit: true))
                if (rule.Problem(value) is { } problem)
                    throw new UserInputException($"{key} = {Show(value)} (from {origins.Describe(key)}): {problem}");
            if (value is not null && IsRecord(value.GetType())) Check(value, key, origins);
        }
    }

    /// <summary>A nested options class (TrainConfig inside ExperimentConfig), not a value, collection or section.</summary>
    private static bool IsRecord(Type type) =>
        type.IsClass && type != typeof(string) && type != typeof(ConfigSection) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
        && Resolver.ResolveContract(type) is JsonObjectContract;

    private static string Show(object? value) => value switch
    {
        null => "null",
        System.Runtime.CompilerServices.ITuple tuple => "[" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Show(tuple[i]))) + "]",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>().Select(Show)) + "]",
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
