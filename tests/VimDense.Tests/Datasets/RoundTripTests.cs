using OpenCvSharp;
using VimDense.Datasets;
using VimDense.Datasets.Loading;

namespace VimDense.Tests.Datasets;

public class RoundTripTests
{
    [Fact]
    public void MakeSyntheticAde20kThenLoadAndShow()
    {
        var root = Path.Combine(TestPaths.NewTempDir("vimdense-rt"), "ade");
        var (code, stdout, stderr) = CliRunner.Run("make-synthetic", "ade20k", root, "--images", "6", "--classes", "5", "--size", "40", "--seed", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("6 training", stdout);
        Assert.Equal(6, Directory.GetFiles(Path.Combine(root, "images", "training"), "*.jpg").Length);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "annotations", "validation"), "*.png").Length);
        var dataset = DataSetup.Ade20k(root, "training", train: true, cropSize: 24);
        Assert.Equal(5, dataset.Options.NumClasses);
        var seen = new HashSet<byte>();
        for (var i = 0; i < dataset.Count; i++)
        {
            var (image, label) = dataset.LoadRaw(i);
            using (image)
            using (label)
                for (var y = 0; y < label.Rows; y++)
                for (var x = 0; x < label.Cols; x++) seen.Add(label.At<byte>(y, x));
        }
        Assert.True(seen.Count(v => v < 5) >= 4, "several classes are drawn");
        Assert.All(seen, v => Assert.True(v < 5 || v == 255));

        var png = Path.Combine(root, "show.png");
        (code, _, stderr) = CliRunner.Run("show", "ade20k", root, "--index", "1", "--augment", "--size", "24", "--output", png);
        Assert.True(code == 0, stderr);
        using var picture = Cv2.ImRead(png);
        Assert.Equal((24, 48), (picture.Rows, picture.Cols));
    }

    [Fact]
    public void MakeSyntheticCocoThenLoadAndShow()
    {
        var root = Path.Combine(TestPaths.NewTempDir("vimdense-rt"), "coco");
        var (code, _, stderr) = CliRunner.Run("make-synthetic", "coco", root, "--images", "9", "--classes", "20", "--size", "48");
        Assert.True(code == 0, stderr);
        var dataset = DataSetup.Coco(root, "val2017", train: false, imageSize: 64);
        Assert.Equal(20, dataset.Annotations.Categories.Count);
        Assert.Equal(21, dataset.Annotations.Categories[^1].Id);      // the first 20 COCO ids skip 12
        using var loader = DataSetup.DetectionLoader(dataset, new DataLoaderOptions { BatchSize = 2, Workers = 1 }, train: false, imageSize: 64);
        var total = 0;
        while (loader.Next() is { } batch)
            using (batch)
            {
                total += batch.Count;
                Assert.Equal(64, batch.Images.shape[2]);
            }
        Assert.Equal(dataset.Count, total);

        var png = Path.Combine(root, "show.png");
        (code, _, stderr) = CliRunner.Run("show", "coco", root, "--index", "0", "--augment", "--size", "64", "--output", png);
        Assert.True(code == 0, stderr);
        Assert.True(new FileInfo(png).Length > 0);
        (code, _, stderr) = CliRunner.Run("show", "coco", root, "--index", "99", "--output", png);
        Assert.Equal(1, code);
        Assert.Contains("--index 99", stderr);
    }

    [Fact]
    public void BenchLoaderPrintsSamplesPerSecond()
    {
        var root = Path.Combine(TestPaths.NewTempDir("vimdense-rt"), "ade");
        VimDense.Datasets.Synthetic.SyntheticAde20kWriter.Write(root, new VimDense.Datasets.Synthetic.SyntheticOptions { Images = 4, Size = 32 });
        var (code, stdout, stderr) = CliRunner.Run("bench", "loader", root, "--dataset", "ade20k", "--workers", "1,2", "--batches", "2", "--batch", "2", "--size", "32");
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.True(double.Parse(rows[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]) > 0);
    }

    [Fact]
    public void UnknownKindIsAUserError()
    {
        var (code, _, stderr) = CliRunner.Run("make-synthetic", "voc", TestPaths.NewTempDir());
        Assert.Equal(1, code);
        Assert.Contains("unknown kind 'voc'", stderr);
    }
}
