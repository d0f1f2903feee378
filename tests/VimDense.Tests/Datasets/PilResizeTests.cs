using System.Text.Json;
using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;
using VimDense.IO;
using VimDense.Structures;
using ScalarType = TorchSharp.torch.ScalarType;

namespace VimDense.Tests.Datasets;

/// <summary>
/// <see cref="PilResize"/> against Pillow's own output (Data/pil, made by tools/reference/pil_resize_fixtures.py),
/// and the detectron2 pipelines that use it.
/// </summary>
public class PilResizeTests
{
    private static readonly string DataDir = Path.Combine(TestPaths.RepoRoot, "tests", "VimDense.Tests", "Datasets", "Data", "pil");

    private sealed record PilImage(byte[] Pixels, int Height, int Width, int Channels);

    private static PilImage Load(string file)
    {
        using var t = NpyFile.Read(Path.Combine(DataDir, file));
        Assert.Equal(ScalarType.Byte, t.dtype);
        var channels = t.shape.Length == 3 ? (int)t.shape[2] : 1;
        return new PilImage(t.data<byte>().ToArray(), (int)t.shape[0], (int)t.shape[1], channels);
    }

    public static TheoryData<string, string, int, int, string> Cases()
    {
        var data = new TheoryData<string, string, int, int, string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(DataDir, "cases.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("input").GetString()!, c.GetProperty("filter").GetString()!,
                c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("expected").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPillowBitForBit(string input, string filter, int width, int height, string expected)
    {
        var source = Load(input);
        var want = Load(expected);
        Assert.Equal((height, width, source.Channels), (want.Height, want.Width, want.Channels));
        var got = PilResize.Resize(source.Pixels, source.Width, source.Height, source.Channels, width, height,
            Enum.Parse<PilFilter>(filter, ignoreCase: true));
        var mismatches = Enumerable.Range(0, got.Length).Count(i => got[i] != want.Pixels[i]);
        Assert.True(mismatches == 0, $"{expected}: {mismatches} of {got.Length} values differ from Pillow");
    }

    [Fact]
    public void FixturesCoverEveryFilterAndShrinkEnlargeAndMixedAxes()
    {
        var cases = Cases().Select(row => ((string)row[0], (string)row[1], (int)row[2], (int)row[3])).ToList();
        Assert.Equal(["bicubic", "bilinear", "nearest"], cases.Select(c => c.Item2).Distinct().Order());
        var kinds = cases.Select(c =>
        {
            var source = Load(c.Item1);
            return (Math.Sign(c.Item3 - source.Width), Math.Sign(c.Item4 - source.Height));
        }).ToHashSet();
        Assert.Contains((-1, -1), kinds);
        Assert.Contains((1, 1), kinds);
        Assert.Contains((-1, 1), kinds);
        Assert.Contains((1, -1), kinds);
    }

    [Fact]
    public void ShrinkingAntialiasesUnlikeCvLinear()
    {
        // A 1-pixel checkerboard shrunk 4x: PIL's widened triangle averages it to mid-grey; cv2's INTER_LINEAR
        // samples two source pixels and keeps the pattern's extremes.
        using var board = new Mat(16, 16, MatType.CV_8UC1);
        for (var y = 0; y < 16; y++)
        for (var x = 0; x < 16; x++) board.Set(y, x, (byte)((x + y) % 2 * 255));
        using var pil = PilResize.Resize(board, new Size(4, 4), PilFilter.Bilinear);
        Cv2.MinMaxLoc(pil, out double min, out double max);
        Assert.InRange(min, 100, 155);
        Assert.InRange(max, 100, 155);
    }

    [Fact]
    public void BadInputIsRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => PilResize.Resize(new byte[8], 2, 2, 2, 1, 1, PilFilter.Bilinear));
        Assert.Contains("2 channels", e.Message);
        Assert.Throws<ArgumentException>(() => PilResize.Resize(new byte[5], 2, 2, 1, 1, 1, PilFilter.Bilinear));
        Assert.Throws<ArgumentException>(() => PilResize.Resize(new byte[4], 2, 2, 1, 0, 1, PilFilter.Bilinear));
    }

    [Fact]
    public void DetectionTestPipelineResizesLikeDetectron2()
    {
        // ResizeShortestEdge(24, 1000) of the 60x40 fixture: PIL BILINEAR to 36x24.
        var source = Load("shortest_edge.input.npy");
        var want = Load("shortest_edge.bilinear.36x24.npy");
        var options = new DetectionPipelineOptions { TestShortEdge = 24, TestMaxSize = 1000 };
        using var image = ToMat(source);
        var sample = new DetectionTestPipeline(options).Apply(image, [], new CocoImage(1, 40, 60, "a.jpg"), new Random(0));
        Assert.Equal((24, 36), (sample.Height, sample.Width));
        using var expected = ToMat(want);
        Assert.Equal(ChwConversion.ToNormalizedChw(expected, options.Normalize, 24, 36), sample.Image);
    }

    [Fact]
    public void LsjResizesImagesBilinearAndBitmasksNearestWithPil()
    {
        // No flip, and an image size larger than any resized image so the crop keeps all of it.
        var source = Load("shortest_edge.input.npy");
        var options = new DetectionPipelineOptions { ImageSize = (50, 50), ScaleRange = (0.2, 1.0), FlipProbability = 0 };
        var mask = new byte[40 * 60];
        for (var k = 0; k < mask.Length; k++) mask[k] = (byte)((k / 60 / 3 + k % 60 / 5) % 2);
        var instance = new Instance(0, 0, 60, 40, 0, [], mask);
        using var image = ToMat(source);
        for (var seed = 0; seed < 5; seed++)
        {
            var sample = new LsjTrainPipeline(options).Apply(image, [instance], new CocoImage(1, 40, 60, "a.jpg"), new Random(seed));
            var (nw, nh) = (sample.Width, sample.Height);
            Assert.Equal((double)nw / 60, sample.ScaleX);
            var want = PilResize.Resize(source.Pixels, 60, 40, 3, nw, nh, PilFilter.Bilinear);
            using var expected = ToMat(new PilImage(want, nh, nw, 3));
            Assert.Equal(ChwConversion.ToNormalizedChw(expected, options.Normalize, nh, nw), sample.Image);
            var resizedMask = Assert.Single(sample.Instances).Bitmask;
            Assert.Equal(PilResize.Resize(mask, 60, 40, 1, nw, nh, PilFilter.Nearest), resizedMask);
        }
    }

    [Fact]
    public void BitmaskResizeIsPillowsNearest()
    {
        var source = Load("mask_enlarge.input.npy");
        var want = Load("mask_enlarge.nearest.27x19.npy");
        var instance = new Instance(0, 0, source.Width, source.Height, 0, [], source.Pixels);
        var resized = Assert.Single(InstanceGeometry.Resize([instance], source.Width, source.Height, 27, 19));
        Assert.Equal(want.Pixels, resized.Bitmask);
    }

    private static unsafe Mat ToMat(PilImage image)
    {
        var mat = new Mat(image.Height, image.Width, image.Channels == 3 ? MatType.CV_8UC3 : MatType.CV_8UC1);
        image.Pixels.AsSpan().CopyTo(new Span<byte>((byte*)mat.DataPointer, image.Pixels.Length));
        return mat;
    }
}
