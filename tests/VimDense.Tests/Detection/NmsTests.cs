using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>Native NMS against the TorchSharp reference, on clustered boxes with tied scores.</summary>
public class NmsTests
{
    // Clusters of jittered boxes on an integer grid (exact in float32), scores quantised so ties occur.
    private static (Tensor Boxes, Tensor Scores) Clustered(int count, int seed, ScalarType dtype)
    {
        var rng = new Random(seed);
        var boxes = new double[count * 4];
        var scores = new double[count];
        for (var i = 0; i < count; i++)
        {
            double cx = 20 * rng.Next(5) + rng.Next(-4, 5), cy = 20 * rng.Next(4) + rng.Next(-4, 5) - 10;
            double w = rng.Next(4, 24), h = rng.Next(4, 24);
            boxes[i * 4] = cx - w / 2; boxes[i * 4 + 1] = cy - h / 2; boxes[i * 4 + 2] = cx + w / 2; boxes[i * 4 + 3] = cy + h / 2;
            scores[i] = rng.Next(20) / 20.0;
        }
        return (tensor(boxes, dtype).reshape(count, 4), tensor(scores, dtype));
    }

    [Theory]
    [InlineData(0.3, ScalarType.Float32)]
    [InlineData(0.5, ScalarType.Float32)]
    [InlineData(0.7, ScalarType.Float64)]
    [InlineData(0.0, ScalarType.Float64)]
    [InlineData(1.0, ScalarType.Float32)]
    public void MatchesReference(double threshold, ScalarType dtype)
    {
        var (boxes, scores) = Clustered(300, 1, dtype);
        var kept = Nms.Apply(boxes, scores, threshold);
        Assert.Equal(ScalarType.Int64, kept.dtype);
        Assert.Equal(NmsReference.Apply(boxes, scores, threshold), kept.data<long>().ToArray());
    }

    [Fact]
    public void EqualScoresKeepInputOrder()
    {
        var boxes = tensor(new float[] { 0, 0, 10, 10, 100, 100, 110, 110, 1, 1, 10, 10, 50, 50, 60, 60 }).reshape(4, 4);
        var scores = tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.9f });
        Assert.Equal(new long[] { 3, 0, 1 }, Nms.Apply(boxes, scores, 0.5).data<long>().ToArray());
    }

    [Fact]
    public void EmptyInputGivesEmptyInt64()
    {
        var kept = Nms.Apply(zeros(0, 4), zeros(0), 0.5);
        Assert.Equal([0L], kept.shape);
        Assert.Equal(ScalarType.Int64, kept.dtype);
        Assert.Equal([0L], Nms.Batched(zeros(0, 4), zeros(0), zeros(0, ScalarType.Int64), 0.5).shape);
    }

    [Fact]
    public void BatchedMatchesPerClassReference()
    {
        var (boxes, scores) = Clustered(200, 2, ScalarType.Float32);
        var rng = new Random(3);
        var classes = Enumerable.Range(0, 200).Select(_ => (long)rng.Next(4)).ToArray();
        // Negative coordinates as well: the class offsets must still separate the classes.
        boxes = boxes - 30;
        var kept = Nms.Batched(boxes, scores, tensor(classes), 0.5).data<long>().ToArray();
        Assert.Equal(NmsReference.Batched(boxes, scores, classes, 0.5), kept);
    }

    [Fact]
    public void BadInputsNameTheArgument()
    {
        Assert.Equal("boxes", Assert.Throws<ArgumentException>(() => Nms.Apply(zeros(3, 5), zeros(3), 0.5)).ParamName);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => Nms.Apply(zeros(3, 4), zeros(2), 0.5)).ParamName);
        Assert.Equal("iouThreshold", Assert.Throws<ArgumentException>(() => Nms.Apply(zeros(3, 4), zeros(3), double.NaN)).ParamName);
        Assert.Equal("classIdxs", Assert.Throws<ArgumentException>(() => Nms.Batched(zeros(3, 4), zeros(3), zeros(2, ScalarType.Int64), 0.5)).ParamName);
    }
}
