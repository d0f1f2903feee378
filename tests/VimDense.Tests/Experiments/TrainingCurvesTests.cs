using OpenCvSharp;
using VimDense.Engine;
using VimDense.Experiments;

namespace VimDense.Tests.Experiments;

/// <summary>The curves a training run leaves: loss terms, learning rate and validation metrics, as ScottPlot panels.</summary>
public class TrainingCurvesTests
{
    private static Mat Read(string path)
    {
        Assert.True(File.Exists(path), $"{path} missing");
        return Cv2.ImRead(path);
    }

    [Fact]
    public void EveryLossTermTheLearningRateAndTheMetricsAreDrawn()
    {
        var dir = TestPaths.NewTempDir("curves");
        using (var log = new TrainingLog(dir, tensorBoard: false))
        {
            for (var i = 1; i <= 5; i++)
                log.Write("train", i, new Dictionary<string, double>
                {
                    ["loss"] = 3.0 / i, ["decode.loss_ce"] = 2.0 / i, ["aux.loss_ce"] = 1.0 / i, ["lr"] = 0.01 / i, ["acc_seg"] = 10 * i, ["time"] = 0.5,
                });
            log.Write("val", 5, new Dictionary<string, double> { ["mIoU"] = 40, ["mAcc"] = 50, ["aAcc"] = 60 });
        }
        var written = TrainingCurves.Write(dir);
        Assert.Equal(TrainingCurves.FileNames.Select(f => Path.Combine(dir, f)), written);
        using var loss = Read(Path.Combine(dir, TrainingCurves.LossFile));
        using var lr = Read(Path.Combine(dir, TrainingCurves.LearningRateFile));
        using var val = Read(Path.Combine(dir, TrainingCurves.ValidationFile));
        Assert.Equal(new Size(LogCurvesPlot.PanelWidth, 2 * LogCurvesPlot.PanelHeight), loss.Size()); // the total, then the terms
        Assert.Equal(new Size(LogCurvesPlot.PanelWidth, LogCurvesPlot.PanelHeight), lr.Size());
        Assert.Equal(new Size(LogCurvesPlot.PanelWidth, LogCurvesPlot.PanelHeight), val.Size()); // mIoU, mAcc, aAcc together
    }

    [Fact]
    public void DetectionMetricsGetAPanelPerPrefix()
    {
        var dir = TestPaths.NewTempDir("curves");
        using (var log = new TrainingLog(dir, tensorBoard: false))
        {
            log.Write("train", 1, new Dictionary<string, double> { ["loss"] = 1, ["loss_rpn_cls"] = 0.5, ["loss_mask"] = 0.5, ["lr"] = 1e-4 });
            log.Write("val", 1, new Dictionary<string, double> { ["bbox_AP"] = 1, ["bbox_AP50"] = 2, ["segm_AP"] = 3 });
        }
        TrainingCurves.Write(dir);
        using var val = Read(Path.Combine(dir, TrainingCurves.ValidationFile));
        Assert.Equal(2 * LogCurvesPlot.PanelHeight, val.Rows);
    }

    [Fact]
    public void ALogWithoutValidationWritesNoMetricsPicture()
    {
        var dir = TestPaths.NewTempDir("curves");
        using (var log = new TrainingLog(dir, tensorBoard: false))
            log.Write("train", 1, new Dictionary<string, double> { ["loss"] = 1, ["lr"] = 1e-4 });
        var written = TrainingCurves.Write(dir);
        Assert.Equal([Path.Combine(dir, TrainingCurves.LossFile), Path.Combine(dir, TrainingCurves.LearningRateFile)], written);
        using var loss = Read(written[0]);
        Assert.Equal(LogCurvesPlot.PanelHeight, loss.Rows); // no loss terms: the total only
    }
}
