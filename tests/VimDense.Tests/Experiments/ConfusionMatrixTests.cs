using OpenCvSharp;
using VimDense.Checkpoints;
using VimDense.Datasets.Evaluation;
using VimDense.Experiments;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Experiments;

/// <summary>
/// The segmentation confusion matrix: hand-counted cells, agreement with the mIoU histograms of the same pixels, its
/// CSV and picture, and the confusion-matrix command on a checkpoint of the demo model.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class ConfusionMatrixTests
{
    [Fact]
    public void CountsGroundTruthRowsAgainstPredictionColumns()
    {
        var matrix = new ConfusionMatrix(3, ignoreIndex: 255);
        // label:      0  0  0  1  1  2  255  7 (out of range)   prediction 9 is outside the classes
        byte[] label = [0, 0, 0, 1, 1, 2, 255, 7, 2];
        byte[] pred = [0, 1, 1, 1, 1, 0, 2, 0, 9];
        matrix.Add(pred, label);
        Assert.Equal(1, matrix.Count(0, 0));
        Assert.Equal(2, matrix.Count(0, 1));
        Assert.Equal(2, matrix.Count(1, 1));
        Assert.Equal(1, matrix.Count(2, 0));
        Assert.Equal(0, matrix.Count(2, 2));
        var rows = matrix.RowNormalized();
        Assert.Equal(1.0 / 3, rows[0, 0], 12);
        Assert.Equal(2.0 / 3, rows[0, 1], 12);
        Assert.Equal(1.0, rows[1, 1]);
        Assert.Equal(1.0, rows[2, 0]);
        Assert.Equal(
            "ground_truth\\prediction,a,\"b,c\",d\na,0.333333,0.666667,0\n\"b,c\",0,1,0\nd,1,0,0\n",
            matrix.ToCsv(["a", "b,c", "d"]).ReplaceLineEndings("\n"));
        Assert.StartsWith("ground_truth\\prediction,a,\"b,c\",d\na,1,2,0\n", matrix.ToCsv(["a", "b,c", "d"], normalized: false).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void AgreesWithTheMiouHistogramsOnRandomMaps()
    {
        var rng = new Random(3);
        const int classes = 6;
        var matrix = new ConfusionMatrix(classes);
        var metric = new SegmentationMetric(classes);
        for (var image = 0; image < 4; image++)
        {
            var label = Enumerable.Range(0, 500).Select(_ => (byte)(rng.Next(8) == 0 ? 255 : rng.Next(classes))).ToArray();
            var pred = label.Select(l => (byte)(rng.Next(3) == 0 ? rng.Next(classes) : l == 255 ? 0 : l)).ToArray();
            matrix.Add(pred, label);
            metric.Add(pred, label);
        }
        AssertMatches(matrix, metric.Compute());
    }

    [Fact]
    public void PictureIsDrawnAtTheExpectedSize()
    {
        var matrix = new ConfusionMatrix(4);
        matrix.Add([0, 1, 2, 3, 3, 1], [0, 1, 2, 3, 2, 0]);
        var path = Path.Combine(TestPaths.NewTempDir("confusion"), "m.png");
        ConfusionMatrixPlot.Write(path, matrix, ["sky", "road", "tree", "car"]);
        using var picture = Cv2.ImRead(path);
        Assert.Equal((620, 500), (picture.Width, picture.Height));
    }

    [Fact]
    public void CommandWritesTheMatrixOfACheckpointConsistentWithItsMiou()
    {
        var temp = TestPaths.NewTempDir("confusion");
        var data = Path.Combine(temp, "data");
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        string[] set = ["--set", $"data.root={data}", "data.synthetic.images=4"];
        var experiment = Experiment.FromConfig<SegmentationExperiment>(config, set[1..], Path.Combine(temp, "work"));
        experiment.PrepareData();
        using var model = experiment.BuildModel();

        var (matrix, evaluation) = ConfusionAnalysis.Compute(experiment, model, maxImages: 2);
        AssertMatches(matrix, evaluation.Metrics);

        var checkpoint = Path.Combine(temp, "model.safetensors");
        SafeTensors.Save(checkpoint, model.state_dict().ToDictionary(kv => "model." + kv.Key, kv => kv.Value));
        var outDir = Path.Combine(temp, "out");
        var (code, stdout, stderr) = CliRunner.Run(["confusion-matrix", config, "--checkpoint", checkpoint, "--out", outDir, "--max-images", "2", .. set]);
        Assert.True(code == 0, stderr);
        Assert.Contains("mIoU", stdout);
        // The same model on the same images: the command's counts are the ones computed here.
        Assert.Equal(matrix.ToCsv(experiment.ClassNames(), normalized: false), File.ReadAllText(Path.Combine(outDir, ConfusionAnalysis.CountsCsv)));
        Assert.True(File.Exists(Path.Combine(outDir, ConfusionAnalysis.Picture)));

        (code, _, stderr) = CliRunner.Run("confusion-matrix", Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json"),
            "--checkpoint", checkpoint);
        Assert.NotEqual(0, code);
        Assert.Contains("expected segmentation", stderr);
    }

    /// <summary>Diagonal = intersection, row sums = label area, column sums = prediction area, per class.</summary>
    private static void AssertMatches(ConfusionMatrix matrix, SegmentationMetricResult metrics)
    {
        var n = matrix.NumClasses;
        for (var k = 0; k < n; k++)
        {
            Assert.Equal(metrics.AreaIntersect[k], matrix.Count(k, k));
            Assert.Equal(metrics.AreaLabel[k], Enumerable.Range(0, n).Sum(c => matrix.Count(k, c)));
            Assert.Equal(metrics.AreaPrediction[k], Enumerable.Range(0, n).Sum(r => matrix.Count(r, k)));
        }
    }
}
