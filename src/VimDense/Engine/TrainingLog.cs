using System.Globalization;
using Newtonsoft.Json.Linq;
using TorchSharp;

namespace VimDense.Engine;

/// <summary>
/// Where training numbers go: a JSON-lines file (log.jsonl, one object per logged iteration or evaluation,
/// appended across resumes) and, optionally, TensorBoard scalars and images under tf_logs/ through TorchSharp's
/// SummaryWriter (one event file per writer; its events carry whole-second wall times). Each line holds "mode",
/// "iter", "timestamp" (UTC, ISO 8601) and the values; train lines also mmseg's "time" and "data_time" (seconds per
/// iteration) and "memory" (MB).
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
        var line = new JObject { ["mode"] = mode, ["iter"] = iteration, ["timestamp"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture) };
        foreach (var (key, value) in values)
        {
            line[key] = double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);
            tensorBoard?.add_scalar($"{mode}/{key}", (float)value, checked((int)iteration));
        }
        jsonLines.WriteLine(line.ToString(Newtonsoft.Json.Formatting.None));
    }

    /// <summary>
    /// Adds PNG pictures (validation overlays) to TensorBoard as images tagged "<paramref name="tag"/>/&lt;file name&gt;"
    /// at <paramref name="iteration"/>; does nothing without TensorBoard.
    /// </summary>
    public void WriteImages(string tag, long iteration, IEnumerable<string> pngPaths)
    {
        if (tensorBoard is null) return;
        foreach (var path in pngPaths)
            tensorBoard.add_img($"{tag}/{Path.GetFileNameWithoutExtension(path)}", path, checked((int)iteration));
    }

    /// <summary>Reads (iteration, value) pairs of one key from a log.jsonl, the last entry per iteration winning (resumes rewrite).</summary>
    public static IReadOnlyList<(long Iteration, double Value)> ReadSeries(string path, string mode, string key) =>
        File.Exists(path) && ReadAllSeries(path).TryGetValue((mode, key), out var series) ? series : [];

    /// <summary>
    /// Every numeric series of a log.jsonl by (mode, key), in iteration order, the last entry per iteration winning
    /// (resumes rewrite); a line that is not a JSON object with "mode" and "iter" is a user error naming the line.
    /// </summary>
    public static IReadOnlyDictionary<(string Mode, string Key), IReadOnlyList<(long Iteration, double Value)>> ReadAllSeries(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found", path);
        var series = new Dictionary<(string, string), SortedDictionary<long, double>>();
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JObject line;
            try { line = JObject.Parse(text); }
            catch (Newtonsoft.Json.JsonReaderException) { throw new UserInputException($"{path}:{number}: not a JSON object"); }
            if (line["mode"] is not JValue { Type: JTokenType.String } mode || line["iter"] is not JValue { Type: JTokenType.Integer } iteration)
                throw new UserInputException($"{path}:{number}: expected \"mode\" (string) and \"iter\" (integer)");
            foreach (var property in line.Properties())
            {
                if (property.Value is not JValue { Type: JTokenType.Float or JTokenType.Integer } value || property.Name == "iter") continue;
                var key = ((string)mode!, property.Name);
                if (!series.TryGetValue(key, out var points)) series[key] = points = new SortedDictionary<long, double>();
                points[(long)iteration] = (double)value;
            }
        }
        return series.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(long, double)>)kv.Value.Select(p => (p.Key, p.Value)).ToList());
    }

    // The SummaryWriter appends and closes its event file on every scalar, so it holds nothing open.
    public void Dispose() => jsonLines.Dispose();
}
