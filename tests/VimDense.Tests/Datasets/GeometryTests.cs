using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Transforms;

namespace VimDense.Tests.Datasets;

public class GeometryTests
{
    [Theory]
    [InlineData(683, 512, 2048, 512, 683, 512)]   // ADE-like image: factor 1
    [InlineData(100, 50, 2048, 512, 1024, 512)]   // short side limits: factor 10.24
    [InlineData(3000, 500, 2048, 512, 2048, 341)] // long side limits: 2048/3000 -> h = int(341.33 + 0.5)
    [InlineData(10, 10, 512, 128, 128, 128)]
    public void MmcvKeepRatioRescale(int w, int h, int longEdge, int shortEdge, int expectedW, int expectedH)
    {
        Assert.Equal((expectedW, expectedH), KeepRatioScale.Mmcv(w, h, longEdge, shortEdge));
    }

    [Fact]
    public void ResizeScaleAndShortestEdge()
    {
        // min(512/480, 512/640) = 0.8 -> 512 x 384.
        Assert.Equal((512, 384), KeepRatioScale.ResizeScale(640, 480, 0.5, 1024, 1024));
        // 1024/480 -> 1365.33 x 1024, shrunk so the long side is 1024 -> 1024 x 768.
        Assert.Equal((1024, 768), KeepRatioScale.ShortestEdge(640, 480, 1024, 1024));
        // numpy rounds half to even: 5 * 0.5 = 2.5 -> 2.
        Assert.Equal((2, 2), KeepRatioScale.ResizeScale(5, 5, 0.5, 5, 5));
    }

    [Fact]
    public void ReduceZeroLabelIsTheUint8Trick()
    {
        byte[] label = [0, 1, 2, 150, 255, 254];
        Ade20kLabels.ReduceZeroLabel(label);
        Assert.Equal(new byte[] { 255, 0, 1, 149, 255, 253 }, label);
    }

    [Fact]
    public void LabelRangeCheck()
    {
        Assert.Equal(-1, Ade20kLabels.FirstInvalidValue([0, 5, 150], 150, reduceZeroLabel: true));
        Assert.Equal(151, Ade20kLabels.FirstInvalidValue([0, 151], 150, reduceZeroLabel: true));
        Assert.Equal(-1, Ade20kLabels.FirstInvalidValue([0, 149, 255], 150, reduceZeroLabel: false));
        Assert.Equal(150, Ade20kLabels.FirstInvalidValue([150], 150, reduceZeroLabel: false));
    }

    [Fact]
    public void PolygonClippingKeepsTheInsidePart()
    {
        double[] square = [0, 0, 10, 0, 10, 10, 0, 10];
        var clipped = PolygonClipper.Clip(square, 5, -1, 20, 20)!;
        Assert.Equal(50, Math.Abs(PolygonClipper.Area(clipped)), 9);
        Assert.Equal(5, clipped.Where((_, i) => i % 2 == 0).Min(), 9);
        Assert.Null(PolygonClipper.Clip(square, 20, 20, 30, 30));      // entirely outside: disappears
        Assert.Null(PolygonClipper.Clip(square, 10, 0, 20, 10));       // touches along an edge only: no area
        Assert.Equal(100, Math.Abs(PolygonClipper.Area(PolygonClipper.Clip(square, -5, -5, 50, 50)!)), 9);
    }

    [Fact]
    public void ConcavePolygonSplitByTheCropKeepsTheAreaOfBothPieces()
    {
        // A "U": two 2-wide legs joined by a base at the bottom; cropping away the base leaves two pieces.
        double[] u = [0, 0, 2, 0, 2, 8, 4, 8, 4, 0, 6, 0, 6, 10, 0, 10];
        var clipped = PolygonClipper.Clip(u, -1, -1, 7, 8)!;
        Assert.Equal(2 * 2 * 8, Math.Abs(PolygonClipper.Area(clipped)), 9);
    }
}
