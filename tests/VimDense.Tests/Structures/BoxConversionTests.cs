using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Tests.Structures;

public class BoxConversionTests
{
    [Fact]
    public void ArraysConvertBothWaysAndRoundTrip()
    {
        double[] xywh = [1.5, 2, 3.25, 4];
        var xyxy = BoxConversion.Convert(xywh, BoxMode.XywhAbs, BoxMode.XyxyAbs);
        Assert.Equal(new[] { 1.5, 2, 4.75, 6 }, xyxy);
        Assert.Equal(xywh, BoxConversion.Convert(xyxy, BoxMode.XyxyAbs, BoxMode.XywhAbs));
        Assert.Equal(xywh, BoxConversion.Convert(xywh, BoxMode.XywhAbs, BoxMode.XywhAbs));
        Assert.Throws<ArgumentException>(() => BoxConversion.Convert([1, 2, 3], BoxMode.XywhAbs, BoxMode.XyxyAbs));
    }

    [Fact]
    public void TensorsConvertLikeArrays()
    {
        var xywh = tensor(new double[] { 1.5, 2, 3.25, 4, 0, 0, 10, 1 }).reshape(2, 4);
        var xyxy = BoxConversion.Convert(xywh, BoxMode.XywhAbs, BoxMode.XyxyAbs);
        Assert.Equal(new[] { 1.5, 2, 4.75, 6, 0, 0, 10, 1 }, xyxy.data<double>().ToArray());
        Assert.Equal(xywh.data<double>().ToArray(), BoxConversion.Convert(xyxy, BoxMode.XyxyAbs, BoxMode.XywhAbs).data<double>().ToArray());
        Assert.Throws<ArgumentException>(() => BoxConversion.Convert(zeros(3, 5), BoxMode.XywhAbs, BoxMode.XyxyAbs));
    }

    [Fact]
    public void AnInstanceKeepsCornersAndGivesEitherMode()
    {
        var instance = Instance.FromBox([10, 20, 5, 8], BoxMode.XywhAbs, classIndex: 3, polygons: []);
        Assert.Equal((10.0, 20.0, 15.0, 28.0), (instance.X1, instance.Y1, instance.X2, instance.Y2));
        Assert.Equal(new double[] { 10, 20, 5, 8 }, instance.Box(BoxMode.XywhAbs));
        Assert.Equal(new double[] { 10, 20, 15, 28 }, instance.Box());
        Assert.Equal(1, instance.Score);
        Assert.False(instance.HasMask);
    }
}
