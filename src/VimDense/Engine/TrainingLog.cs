using System.Globalization;
using Newtonsoft.Json.Linq;
using VimDense.Engine.Logging;

namespace VimDense.Engine;

/// <summary>
/// Where training numbers go: a JSON-lines file (log.jsonl, one object per logged iteration or evaluation,
/// appended across resumes) and, optionally, TensorBoard scalars under tf_logs/.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private readonly StreamWriter jsonLines;
    private readonly TensorBoardWriter? tensorBoard;

    public TrainingLog(string workDir, bool tensorBoard)
    {
        Directory.CreateDirectory(workDir);
        JsonLinesPath = Path.Combine(workDir, "log.jsonl");
        jsonLines = new StreamWriter(JsonLinesPath, append: true) { AutoFlush = true };
        if (tensorBoard) this.tensorBoard = new TensorBoardWriter(Path.Combine(workDir, "tf_logs"));
    }

    public string JsonLinesPath { get; }

    public void Write(string mode, long iteration, IReadOnlyDictionary<string, double> values)
    {
        var line = new JObject { ["mode"] = mode, ["iter"] = iteration, ["time"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture) };
        foreach (var (key, value) in values)
        {
            line[key] = double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);
            tensorBoard?.AddScalar($"{mode}/{key}", value, iteration);
        }
        jsonLines.WriteLine(line.ToString(Newtonsoft.Json.Formatting.None));
        tensorBoard?.Flush();
    }

    /// <summary>Reads (iteration, value) pairs of one key from a log.jsonl, the last entry per iteration winning (resumes rewrite).</summary>
    public static IReadOnlyList<(long Iteration, double Value)> ReadSeries(string path, string mode, string key)
    {
        var byIteration = new SortedDictionary<long, double>();
        if (!File.Exists(path)) return [];
        foreach (var text in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var line = JObject.Parse(text);
            if ((string?)line["mode"] != mode || line[key] is not JValue { Type: JTokenType.Float or JTokenType.Integer } value) continue;
            byIteration[(long)line["iter"]!] = (double)value;
        }
        return byIteration.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    public void Dispose()
    {
        jsonLines.Dispose();
        tensorBoard?.Dispose();
    }
}
