using TorchSharp;
using VimDense.Experiments;
using VimDense.Datasets.Masks;
using VimDense.Heads.Detection;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>Detections → plain values → COCO results entries (category ids, xywh boxes, RLE masks).</summary>
public class CocoDetectionResultsTests
{
    [Fact]
    public void BoxesBecomeXywhMasksBecomeRlesAndClassesCategoryIds()
    {
        var masks = zeros(2, 6, 8, ScalarType.Bool);
        masks[0, TensorIndex.Slice(1, 4), TensorIndex.Slice(2, 7)] = true;
        var detections = new Instances
        {
            Boxes = tensor(new float[] { 2, 1, 7, 4, 0.5f, 0, 3.5f, 6 }).reshape(2, 4),
            Scores = tensor(new float[] { 0.9f, 0.25f }),
            Classes = tensor(new long[] { 1, 0 }),
            Masks = masks,
        };
        var plain = DetectionExport.ToPlain(detections);
        Assert.Equal(2, plain.Count);
        Assert.Equal(new[] { 2.0, 1, 5, 3 }, plain[0].Box(BoxMode.XywhAbs));
        Assert.Equal(new[] { 0.5, 0, 3, 6 }, plain[1].Box(BoxMode.XywhAbs));
        var results = CocoDetectionResults.From(42, 6, 8, plain, [7, 11]).ToList();
        Assert.Equal(new long[] { 11, 7 }, results.Select(r => r.CategoryId));
        Assert.All(results, r => Assert.Equal(42, r.ImageId));
        Assert.Equal(0.9, results[0].Score, 6);
        var rle = results[0].Segmentation!.Rle!;
        Assert.Equal((6, 8), (rle.Height, rle.Width));
        Assert.Equal(15, RleCodec.Area(rle));
        Assert.Equal(new double[] { 2, 1, 5, 3 }, RleCodec.ToBox(rle));
        Assert.Equal(0, RleCodec.Area(results[1].Segmentation!.Rle!));
        Assert.Throws<ArgumentException>(() => CocoDetectionResults.From(1, 6, 8, plain, [7]).ToList());
    }
}
