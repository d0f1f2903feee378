using System.Globalization;
using Newtonsoft.Json.Linq;
using TorchSharp;

namespace VimDense.Engine;

/// <summary>
/// Where training numbers go: a JSON-lines file (log.jsonl, one object per logged iteration or evaluation,
/// appended across resumes) and, optionally, TensorBoard scalars under tf_logs/ through TorchSharp's SummaryWriter
/// (one event file per run; its scalar events carry whole-second wall times).
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private readonly StreamWriter jsonLines;
    private readonly TorchSharp.Modules.SummaryWriter? tensorBoard;

    public TrainingLog(string workDir, bool tensorBoard)
    {
        Directory.CreateDirectory(workDir);
        JsonLinesPath = Path.Combine(workDir, "log.jsonl");
        jsonLines = new StreamWriter(JsonLinesPath, append: true) { AutoFlush = true };
        if (tensorBoard) this.tensorBoard = torch.utils.tensorboard.SummaryWriter(Path.Combine(workDir, "tf_logs"));
    }

    public string JsonLinesPath { get; }

    public void Write(string mode, long iteration, IReadOnlyDictionary<string, double> values)
    {
        var line = new JObject { ["mode"] = mode, ["iter"] = iteration, ["time"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture) };
        foreach (var (key, value) in values)
        {
            line[key] = double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);
            tensorBoard?.add_scalar($"{mode}/{key}", (float)value, checked((int)iteration));
        }
        jsonLines.WriteLine(line.ToString(Newtonsoft.Json.Formatting.None));
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

    // The SummaryWriter appends and closes its event file on every scalar, so it holds nothing open.
    public void Dispose() => jsonLines.Dispose();
}
