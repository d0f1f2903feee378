using OpenCvSharp;
using VimDense.Experiments;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Experiments;

/// <summary>browse-dataset: the first N samples through the config's pipeline, drawn as `show` draws them.</summary>
[Collection(GlobalRngCollection.Name)]
public class DatasetBrowserTests
{
    private static string Demo(string name) => Path.Combine(TestPaths.RepoRoot, "configs", "demo", name);

    [Fact]
    public void WritesAugmentedSegmentationSamplesAsShowDrawsThem()
    {
        var temp = TestPaths.NewTempDir("browse");
        var experiment = Experiment.FromConfig<SegmentationExperiment>(Demo("upernet_vim_tiny_synthetic.json"),
            [$"data.root={Path.Combine(temp, "data")}", "data.synthetic.images=4"]);
        experiment.PrepareData();
        var paths = DatasetBrowser.Write(experiment, Path.Combine(temp, "out"), count: 3, seed: 5);
        Assert.Equal(["0000.png", "0001.png", "0002.png"], paths.Select(Path.GetFileName));

        // The same samples, drawn by hand through the training pipeline with the same seed.
        var dataset = experiment.Dataset(experiment.Data.TrainSplit, train: true);
        var rng = new Random(5);
        for (var i = 0; i < 3; i++)
        {
            using var expected = SampleOverlay.Segmentation(dataset.Get(i, rng), experiment.PipelineOptions().Normalize);
            using var written = Cv2.ImRead(paths[i]);
            Assert.Equal(expected.Size(), written.Size());
            using var difference = new Mat();
            Cv2.Absdiff(expected, written, difference);
            Assert.Equal(0, Cv2.CountNonZero(difference.Reshape(1)));
        }
        // Augmented samples are crops of data.crop_size (64), not the 96-pixel source images.
        using var first = Cv2.ImRead(paths[0]);
        Assert.Equal(64, first.Height);

        // More than the split holds: every sample once.
        var validation = DatasetBrowser.Write(experiment, Path.Combine(temp, "val"), count: 100, split: "validation", augment: false);
        Assert.Equal(experiment.Dataset("validation", train: false).Count, validation.Count);
    }

    [Fact]
    public void CliDrawsDetectionSamples()
    {
        var temp = TestPaths.NewTempDir("browse");
        var data = Path.Combine(temp, "data");
        var experiment = Experiment.FromConfig(Demo("cascade_mask_rcnn_vim_tiny_synthetic.json"), [$"data.root={data}", "data.synthetic.images=4"]);
        ((DetectionExperiment)experiment).PrepareData();
        var outDir = Path.Combine(temp, "out");
        var (code, stdout, stderr) = CliRunner.Run("browse-dataset", Demo("cascade_mask_rcnn_vim_tiny_synthetic.json"), "--out", outDir, "--count", "2",
            "--set", $"data.root={data}");
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote 2 samples", stdout);
        Assert.Equal(2, Directory.GetFiles(outDir, "*.png").Length);
        (code, _, stderr) = CliRunner.Run("browse-dataset", Demo("cascade_mask_rcnn_vim_tiny_synthetic.json"), "--out", outDir, "--count", "0",
            "--set", $"data.root={data}");
        Assert.NotEqual(0, code);
        Assert.Contains("--count must be positive", stderr);
    }
}
