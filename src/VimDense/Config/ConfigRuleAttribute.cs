namespace VimDense.Config;

/// <summary>
/// A rule on a config field's value, checked by <see cref="ConfigValidation"/> right after the section is bound, so
/// a bad value fails at load with its key and origin instead of deep inside training. Number rules apply to a
/// number, to each value of a list or array of numbers and to both values of a pair; null (an unset optional) passes.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public abstract class ConfigRuleAttribute : Attribute
{
    /// <summary>What is wrong with <paramref name="value"/> ("must be >= 1"), or null when it is fine.</summary>
    public abstract string? Problem(object? value);

    /// <summary>The numbers a value holds: itself, a list's or array's items, or a pair's two values.</summary>
    protected static IEnumerable<double> Numbers(object? value) => value switch
    {
        null => [],
        System.Runtime.CompilerServices.ITuple tuple => Enumerable.Range(0, tuple.Length).SelectMany(i => Numbers(tuple[i])),
        System.Collections.IEnumerable items and not string => items.Cast<object?>().SelectMany(Numbers),
        IConvertible number when number.GetTypeCode() is not (TypeCode.String or TypeCode.Boolean or TypeCode.Char) =>
            [Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture)],
        _ => [],
    };

    protected static string Format(double x) => x.ToString("G", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Every number of the field is at least <see cref="Min"/> (or above it when <see cref="Exclusive"/>).</summary>
public sealed class MinAttribute(double min) : ConfigRuleAttribute
{
    public double Min { get; } = min;
    public bool Exclusive { get; init; }

    public override string? Problem(object? value) =>
        Numbers(value).Any(x => double.IsNaN(x) || (Exclusive ? x <= Min : x < Min)) ? $"must be {(Exclusive ? ">" : ">=")} {Format(Min)}" : null;
}

/// <summary>Every number of the field is at most <see cref="Max"/>.</summary>
public sealed class MaxAttribute(double max) : ConfigRuleAttribute
{
    public double Max { get; } = max;

    public override string? Problem(object? value) => Numbers(value).Any(x => double.IsNaN(x) || x > Max) ? $"must be <= {Format(Max)}" : null;
}

/// <summary>A list or array field holds exactly <see cref="Count"/> values (mean and std: one per colour channel).</summary>
public sealed class CountAttribute(int count) : ConfigRuleAttribute
{
    public int Count { get; } = count;

    public override string? Problem(object? value) =>
        value is System.Collections.ICollection items && items.Count != Count ? $"must hold {Count} values, found {items.Count}" : null;
}

/// <summary>A pair (min, max) or list whose values do not decrease.</summary>
public sealed class OrderedAttribute : ConfigRuleAttribute
{
    public override string? Problem(object? value)
    {
        var numbers = Numbers(value).ToList();
        for (var i = 1; i < numbers.Count; i++)
            if (numbers[i] < numbers[i - 1]) return "must be in increasing order";
        return null;
    }
}

/// <summary>A number that is finite (learning rates, decays: NaN or Infinity would make the whole run non-finite).</summary>
public sealed class FiniteAttribute : ConfigRuleAttribute
{
    public override string? Problem(object? value) => Numbers(value).Any(x => !double.IsFinite(x)) ? "must be a finite number" : null;
}
