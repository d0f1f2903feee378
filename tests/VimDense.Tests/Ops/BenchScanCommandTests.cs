using Newtonsoft.Json.Linq;

namespace VimDense.Tests.Ops;

/// <summary>`vimdense bench scan` on a tiny problem: JSON rows with positive timings, and one-line errors on bad input.</summary>
public class BenchScanCommandTests
{
    [Fact]
    public void TinyBenchPrintsJsonWithNativeAndReferenceTimings()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "scan", "--batch", "1", "--dim", "4", "--dstate", "4",
                                                   "--lengths", "5,9", "--repeats", "1", "--reference-max-length", "5", "--json");
        Assert.True(code == 0, stderr);
        var rows = (JArray)JObject.Parse(stdout)["rows"]!;
        Assert.Equal(2, rows.Count);
        Assert.True((double)rows[0]["NativeTrainMs"]! > 0);
        Assert.True((double)rows[0]["ReferenceTrainMs"]! > 0);
        Assert.Equal(JTokenType.Null, rows[1]["ReferenceTrainMs"]!.Type);  // above --reference-max-length
    }

    [Theory]
    [InlineData("--lengths", "12,abc")]
    [InlineData("--device", "tpu")]
    [InlineData("--dstate", "300")]
    public void BadOptionsFailWithOneLineMessage(string option, string value)
    {
        string[] args = option == "--lengths" ? ["bench", "scan", option, value] : ["bench", "scan", option, value, "--lengths", "5"];
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains("vimdense:", stderr);
    }
}
