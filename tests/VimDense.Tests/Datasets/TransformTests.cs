using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;
using VimDense.Structures;

namespace VimDense.Tests.Datasets;

public class TransformTests
{
    [Fact]
    public void CropAcceptanceRule()
    {
        Span<int> hist = stackalloc int[256];
        // 4x4 label: 12 pixels of class 1, 4 of class 2 -> max/sum = 0.75, NOT < 0.75 -> rejected.
        byte[] label = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
        var all = new Rect(0, 0, 4, 4);
        Assert.False(CategoryLimitedCrop.Acceptable(label, 4, all, 0.75, 255, hist));
        // Ignored pixels do not count: 8 x class 1, 4 x class 2, 4 x ignore -> 8/12 < 0.75 -> accepted.
        byte[] withIgnore = [1, 1, 1, 1, 1, 1, 1, 1, 255, 255, 255, 255, 2, 2, 2, 2];
        Assert.True(CategoryLimitedCrop.Acceptable(withIgnore, 4, all, 0.75, 255, hist));
        // A single class (plus ignore) is never acceptable.
        byte[] single = [3, 3, 255, 255];
        Assert.False(CategoryLimitedCrop.Acceptable(single, 2, new Rect(0, 0, 2, 2), 0.75, 255, hist));
        // Only the crop window counts: the top-left 2x2 of `label` is all class 1.
        Assert.False(CategoryLimitedCrop.Acceptable(label, 4, new Rect(0, 0, 2, 2), 0.75, 255, hist));
    }

    [Fact]
    public void CropUsesTheEleventhDrawWhenTenChecksFail()
    {
        var label = new byte[20 * 30];                       // one class everywhere: every check fails
        var chosen = CategoryLimitedCrop.Choose(label, 20, 30, 8, 8, 0.75, 255, new Random(7));
        var replay = new Random(7);
        Rect expected = default;
        for (var draw = 0; draw < 11; draw++)
        {
            var y = replay.Next(20 - 8 + 1);
            var x = replay.Next(30 - 8 + 1);
            expected = new Rect(x, y, 8, 8);
        }
        Assert.Equal(expected, chosen);
        // And the next number of both generators agrees: exactly 22 draws were consumed.
        var rng = new Random(7);
        CategoryLimitedCrop.Choose(label, 20, 30, 8, 8, 0.75, 255, rng);
        Assert.Equal(replay.Next(), rng.Next());
    }

    [Fact]
    public void CropOfASmallImageKeepsItWhole()
    {
        var label = new byte[5 * 6];
        Assert.Equal(new Rect(0, 0, 6, 5), CategoryLimitedCrop.Choose(label, 5, 6, 8, 8, 1.0, 255, new Random(1)));
    }

    [Fact]
    public void TrainPipelinePadsImageWithZeroAndLabelWithIgnore()
    {
        // A 6x4 image with crop 8 and scale (8, 2)·r: the resized image is always smaller than the crop.
        var options = new SegmentationPipelineOptions { Scale = (8, 2), CropSize = (8, 8), PhotoMetricDistortion = false, CatMaxRatio = 1.0 };
        using var image = new Mat(4, 6, MatType.CV_8UC3, new Scalar(10, 20, 30));
        using var label = new Mat(4, 6, MatType.CV_8UC1, Scalar.All(3));
        var sample = new SegmentationTrainPipeline(options).Apply(image, label, "x", new Random(1));
        Assert.Equal((8, 8), (sample.Height, sample.Width));
        Assert.True(sample.ContentHeight < 8 && sample.ContentWidth < 8);
        var mean = NormalizeOptions.ImageNet.Mean;
        var std = NormalizeOptions.ImageNet.Std;
        // Content: RGB (30, 20, 10) normalised; pad: exactly 0 / 255.
        Assert.Equal((30 - mean[0]) / std[0], sample.Image[0], 5);
        Assert.Equal((10 - mean[2]) / std[2], sample.Image[2 * 64], 5);
        Assert.Equal(0f, sample.Image[7 * 8 + 7]);
        Assert.Equal(0f, sample.Image[2 * 64 + 7 * 8 + 7]);
        Assert.Equal(3, sample.Label[0]);
        Assert.Equal(255, sample.Label[63]);
        var contentPixels = sample.ContentHeight * sample.ContentWidth;
        Assert.Equal(contentPixels, sample.Label.Count(v => v == 3));
        Assert.Equal(64 - contentPixels, sample.Label.Count(v => v == 255));
    }

    [Fact]
    public void TestPipelineKeepsLabelsAtOriginalSize()
    {
        var options = new SegmentationPipelineOptions { Scale = (64, 16) };
        using var image = new Mat(10, 20, MatType.CV_8UC3, Scalar.All(100));
        using var label = new Mat(10, 20, MatType.CV_8UC1, Scalar.All(1));
        var sample = new SegmentationTestPipeline(options).Apply(image, label, "x", new Random(0));
        Assert.Equal((16, 32), (sample.Height, sample.Width));       // factor min(64/20, 16/10) = 1.6
        Assert.Equal((10, 20), (sample.LabelHeight, sample.LabelWidth));
    }

    [Fact]
    public void PhotometricConvertClipsThenTruncates()
    {
        using var image = new Mat(1, 2, MatType.CV_8UC3);
        image.SetTo(new Scalar(3, 100, 200));
        PhotoMetricDistortion.Convert(image, 1.0, -0.5);   // 2.5 -> 2, 99.5 -> 99, 199.5 -> 199
        Assert.Equal(new Vec3b(2, 99, 199), image.At<Vec3b>(0, 0));
        PhotoMetricDistortion.Convert(image, 1.5, 0);      // 3, 148.5 -> 148, 298.5 -> 255
        Assert.Equal(new Vec3b(3, 148, 255), image.At<Vec3b>(0, 1));
    }

    [Fact]
    public void PhotometricDistortionIsDeterministicGivenTheSeed()
    {
        using var a = new Mat(8, 8, MatType.CV_8UC3, new Scalar(40, 120, 200));
        using var b = a.Clone();
        var distortion = new PhotoMetricDistortion();
        distortion.Apply(a, new Random(11));
        distortion.Apply(b, new Random(11));
        Assert.Equal(0, Cv2.Norm(a, b, NormTypes.L1));
    }

    [Fact]
    public void LsjBoxesMatchAHandComputation()
    {
        // 100x50 image, one square polygon; output size 64. Replay the pipeline's draws: flip, s, u.
        var options = new DetectionPipelineOptions { ImageSize = (64, 64), ScaleRange = (0.1, 2.0) };
        using var image = new Mat(50, 100, MatType.CV_8UC3, Scalar.All(128));
        var instance = new Instance(10, 20, 30, 40, 2, [[10, 20, 30, 20, 30, 40, 10, 40]]);
        for (var seed = 0; seed < 20; seed++)
        {
            var sample = new LsjTrainPipeline(options).Apply(image, [instance], new CocoImage(1, 50, 100, "a.jpg"), new Random(seed));
            var replay = new Random(seed);
            var flip = replay.NextDouble() < 0.5;
            var s = 0.1 + replay.NextDouble() * 1.9;
            var scale = Math.Min(64 * s / 50, 64 * s / 100);
            var (nw, nh) = ((int)Math.Round(100 * scale, MidpointRounding.ToEven), (int)Math.Round(50 * scale, MidpointRounding.ToEven));
            var u = replay.NextDouble();
            var (x0, y0) = (Math.Round(Math.Max(nw - 64, 0) * u, MidpointRounding.ToEven), Math.Round(Math.Max(nh - 64, 0) * u, MidpointRounding.ToEven));
            double bx1 = flip ? 100 - 30 : 10, bx2 = flip ? 100 - 10 : 30;
            var (sx, sy) = ((double)nw / 100, (double)nh / 50);
            var (ex1, ex2) = (Math.Clamp(bx1 * sx - x0, 0, 64), Math.Clamp(bx2 * sx - x0, 0, 64));
            var (ey1, ey2) = (Math.Clamp(20 * sy - y0, 0, 64), Math.Clamp(40 * sy - y0, 0, 64));
            Assert.Equal((Math.Min(64, nh), Math.Min(64, nw)), (sample.Height, sample.Width));
            if (ex2 - ex1 <= 1e-5 || ey2 - ey1 <= 1e-5)
            {
                Assert.Empty(sample.Instances);
                continue;
            }
            var box = Assert.Single(sample.Instances);
            Assert.Equal(ex1, box.X1, 6);
            Assert.Equal(ex2, box.X2, 6);
            Assert.Equal(ey1, box.Y1, 6);
            Assert.Equal(ey2, box.Y2, 6);
            Assert.Equal(2, box.ClassIndex);
        }
    }
}
