using System.Globalization;
using Newtonsoft.Json.Linq;

namespace VimDense.Analysis;

/// <summary>
/// Parameters and FLOPs per module of one forward (see <see cref="ModelComplexity"/>): the rows in module-tree order
/// (row 0 is the whole model), the input they were counted at, the counting convention, and the modules that did not
/// run (their parameters are in the totals, as mmcv's and fvcore's parameter counts include them).
/// </summary>
public sealed class ComplexityReport
{
    public ComplexityReport(IReadOnlyList<ComplexityRow> rows, string input, string convention, IReadOnlyList<string> idle)
    {
        Rows = rows;
        Input = input;
        Convention = convention;
        Idle = idle;
    }

    public IReadOnlyList<ComplexityRow> Rows { get; }
    public string Input { get; }
    public string Convention { get; }
    public IReadOnlyList<string> Idle { get; }

    /// <summary>All parameters of the model.</summary>
    public long Parameters => Rows[0].Parameters;

    /// <summary>All multiply-adds of the forward.</summary>
    public double Flops => Rows[0].Flops;

    /// <summary>The rows down to <paramref name="maxDepth"/> (0: the model only).</summary>
    public IEnumerable<ComplexityRow> Down(int maxDepth) => Rows.Where(r => r.Depth <= maxDepth);

    /// <summary>The table (modules indented by depth), then the totals, the idle modules and the convention.</summary>
    public string Format(int maxDepth)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = Down(maxDepth).ToList();
        string Label(ComplexityRow r) => new string(' ', 2 * r.Depth) + (r.Depth == 0 ? r.Type : r.Name[(r.Name.LastIndexOf('.') + 1)..]);
        var width = Math.Max(24, rows.Max(r => Label(r).Length) + 2);
        var typeWidth = Math.Max(6, rows.Max(r => r.Type.Length) + 2);
        var lines = new List<string> { $"{"module".PadRight(width)}{"type".PadRight(typeWidth)}{"params",14} {"FLOPs",11} {"% FLOPs",8}" };
        foreach (var r in rows)
            lines.Add(string.Create(c, $"{Label(r).PadRight(width)}{(r.Depth == 0 ? "" : r.Type).PadRight(typeWidth)}{r.Parameters,14:N0} {Giga(r.Flops),11} {(Flops > 0 ? 100 * r.Flops / Flops : 0),7:0.0}%"));
        lines.Add("");
        lines.Add(string.Create(c, $"input {Input}: {Parameters / 1e6:0.00} M parameters, {Flops / 1e9:0.000} GFLOPs"));
        if (Idle.Count > 0) lines.Add($"did not run on this input (parameters counted, FLOPs not): {string.Join(", ", Idle)}");
        lines.Add(Convention);
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    /// <summary>The report as JSON: totals, input, convention, idle modules and the rows down to <paramref name="maxDepth"/>.</summary>
    public JObject ToJson(int maxDepth) => new()
    {
        ["input"] = Input,
        ["parameters"] = Parameters,
        ["flops"] = Flops,
        ["gflops"] = Math.Round(Flops / 1e9, 4),
        ["convention"] = Convention,
        ["idle"] = new JArray(Idle),
        ["modules"] = new JArray(Down(maxDepth).Select(r => new JObject
        {
            ["name"] = r.Name, ["type"] = r.Type, ["depth"] = r.Depth, ["parameters"] = r.Parameters, ["flops"] = r.Flops, ["calls"] = r.Calls,
        })),
    };

    private static string Giga(double flops) => flops switch
    {
        0 => "0",
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e3:0.0} K"),
        < 1e9 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e6:0.00} M"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e9:0.000} G"),
    };
}
