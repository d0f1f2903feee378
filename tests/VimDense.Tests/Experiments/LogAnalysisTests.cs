using OpenCvSharp;
using VimDense.Engine;
using VimDense.Experiments;

namespace VimDense.Tests.Experiments;

/// <summary>analyze-logs: series of any logged key across runs, the summary numbers, the picture and bad input.</summary>
public class LogAnalysisTests
{
    /// <summary>A run whose train loss is <paramref name="losses"/> at iterations 10, 20, ... and one val mIoU at the end.</summary>
    private static string Run(string name, double[] losses, double miou)
    {
        var dir = Path.Combine(TestPaths.NewTempDir("analyze-logs"), name);
        using (var log = new TrainingLog(dir, tensorBoard: false))
        {
            for (var i = 0; i < losses.Length; i++)
                log.Write("train", 10 * (i + 1), new Dictionary<string, double> { ["loss"] = losses[i], ["lr"] = 0.01 / (i + 1) });
            log.Write("val", 10 * losses.Length, new Dictionary<string, double> { ["mIoU"] = miou, ["loss"] = 9.0 });
        }
        return dir;
    }

    [Fact]
    public void ReadsEveryModeOfAKeyAndSummarises()
    {
        var a = Run("a", [3.0, 1.0, 2.0], 40);
        var curves = LogAnalysis.Read([a], ["loss", "val/mIoU"]);
        Assert.Equal(["train/loss", "val/loss", "val/mIoU"], curves.Select(c => c.Series));
        var train = curves[0];
        Assert.Equal([(10L, 3.0), (20L, 1.0), (30L, 2.0)], train.Points);
        Assert.Equal(2.0, train.Last);
        Assert.Equal(1.0, train.Min);
        Assert.Equal(3.0, train.Max);
        Assert.Equal(2.0, train.Mean, 12);
        var table = LogAnalysis.FormatSummary(curves).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, table.Length);
        Assert.Equal(["points", "iters", "last", "min", "max", "mean"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..]);
        Assert.Equal(["train/loss", "3", "10-30", "2", "1", "3", "2"], table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]);
    }

    [Fact]
    public void TheLastEntryOfAnIterationWins()
    {
        var dir = Run("resumed", [5.0, 4.0], 10);
        using (var log = new TrainingLog(dir, tensorBoard: false)) // a resume rewrites iteration 20
            log.Write("train", 20, new Dictionary<string, double> { ["loss"] = 0.5 });
        var curve = Assert.Single(LogAnalysis.Read([dir], ["train/loss"]));
        Assert.Equal([(10L, 5.0), (20L, 0.5)], curve.Points);
    }

    [Fact]
    public void PlotsOnePanelPerSeriesWithEveryRun()
    {
        var curves = LogAnalysis.Read([Run("a", [3, 2, 1], 40), Run("b", [4, 3, 2, 1], 50)], ["loss", "lr"]);
        Assert.Equal(6, curves.Count); // two runs x (train/loss, val/loss, train/lr)
        var path = Path.Combine(TestPaths.NewTempDir("analyze-logs"), "curves.png");
        LogCurvesPlot.Write(path, curves);
        using var picture = Cv2.ImRead(path);
        Assert.Equal(LogCurvesPlot.PanelWidth, picture.Width);
        Assert.Equal(3 * LogCurvesPlot.PanelHeight, picture.Height);
        // Drawn, not blank: ScottPlot's lines and text make many distinct colours.
        using var gray = picture.CvtColor(ColorConversionCodes.BGR2GRAY);
        Assert.True(Cv2.CountNonZero(gray.LessThan(200)) > 1000);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void PlotsACurveWithTooFewPointsForALine(int points)
    {
        // The training loss curve of a run resumed at its last iteration, or of a one-iteration run.
        var curve = new LogCurve("run", "train", "loss", Enumerable.Range(1, points).Select(i => ((long)i, 1.0)).ToList());
        var path = Path.Combine(TestPaths.NewTempDir("analyze-logs"), "curve.png");
        LogCurvesPlot.Write(path, [curve]);
        using var picture = Cv2.ImRead(path);
        Assert.Equal(LogCurvesPlot.PanelHeight, picture.Height);
    }

    [Fact]
    public void AMissingKeyNamesTheKeysTheLogHas()
    {
        var dir = Run("a", [1.0], 1);
        var error = Assert.Throws<UserInputException>(() => LogAnalysis.Read([dir], ["acc"]));
        Assert.Contains("'acc'", error.Message);
        Assert.Contains("train/lr", error.Message);
        File.AppendAllText(Path.Combine(dir, "log.jsonl"), "{ not json\n");
        error = Assert.Throws<UserInputException>(() => LogAnalysis.Read([dir], ["loss"]));
        Assert.Contains("log.jsonl:3", error.Message);
    }

    [Fact]
    public void CliPrintsTheTableAndWritesThePlot()
    {
        var a = Run("a", [3, 2, 1], 40);
        var path = Path.Combine(TestPaths.NewTempDir("analyze-logs"), "curves.png");
        var (code, stdout, stderr) = CliRunner.Run("analyze-logs", a, "--keys", "loss,val/mIoU", "--out", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("val/mIoU", stdout);
        Assert.True(File.Exists(path));
        (code, _, stderr) = CliRunner.Run("analyze-logs", Path.Combine(a, "missing"), "--keys", "loss");
        Assert.NotEqual(0, code);
        Assert.Contains("neither a work directory", stderr);
    }
}
