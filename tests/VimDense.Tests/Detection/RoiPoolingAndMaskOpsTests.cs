using TorchSharp;
using VimDense.Heads.Detection;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>Pyramid level assignment, multi-level pooling, gradient scaling and mask crop/paste on hand-made cases.</summary>
public class RoiPoolingAndMaskOpsTests
{
    [Fact]
    public void LevelFollowsBoxSizeWithCanonical224AtLevel4()
    {
        var pooler = new RoiPooler(7, [4, 8, 16, 32]);
        var boxes = tensor(new float[] { 0, 0, 224, 224, 0, 0, 112, 112, 0, 0, 111, 111, 0, 0, 10, 10, 0, 0, 2000, 2000, 0, 0, 448, 448 }).reshape(6, 4);
        // Levels 4, 3, 2 (just below 112), 2 (clamped), 5 (clamped), 5, as indices from level 2.
        Assert.Equal(new long[] { 2, 1, 0, 0, 3, 3 }, pooler.AssignLevels(boxes).data<long>().ToArray());
    }

    [Fact]
    public void PoolingTakesEachBoxFromItsLevelInInputOrder()
    {
        var pooler = new RoiPooler(5, [4, 8, 16, 32]);
        var features = new[] { randn(2, 3, 32, 32), randn(2, 3, 16, 16), randn(2, 3, 8, 8), randn(2, 3, 4, 4) };
        var perImage = new[]
        {
            tensor(new float[] { 10, 10, 400, 300, 3, 4, 20, 30 }).reshape(2, 4),
            tensor(new float[] { 0, 0, 150, 200 }).reshape(1, 4),
        };
        var pooled = pooler.Pool(features, perImage);
        var rois = new[] { (0, perImage[0][0]), (0, perImage[0][1]), (1, perImage[1][0]) };
        for (var i = 0; i < rois.Length; i++)
        {
            var (image, box) = rois[i];
            var level = (int)pooler.AssignLevels(box.unsqueeze(0)).item<long>();
            var roi = cat([tensor(new float[] { image }), box]).unsqueeze(0);
            var expected = RoiAlign.Apply(features[level], roi, 5, 5, 1.0 / pooler.Strides[level]);
            Assert.True(allclose(pooled[i], expected[0]), $"box {i}");
        }
    }

    [Fact]
    public void GradientScaleKeepsValuesAndScalesGradients()
    {
        var x = randn(4, 3).requires_grad_(true);
        var y = GradientScale.Apply(x, 1.0 / 3);
        Assert.True(y.eq(x).all().item<bool>());
        (y * 6).sum().backward();
        Assert.True(allclose(x.grad!, full(4, 3, 2.0f)));
    }

    [Fact]
    public void MaskCropOfABoxShapedObjectIsAllOnesAndPasteRestoresTheBox()
    {
        var gt = zeros(2, 64, 64, ScalarType.Byte);
        gt[1, TensorIndex.Slice(20, 50), TensorIndex.Slice(10, 30)] = 1;
        var box = tensor(new float[] { 10, 20, 30, 50 }).reshape(1, 4);
        var crop = MaskOps.CropTargets(gt, tensor(new long[] { 1 }), box, 28);
        Assert.Equal([1L, 28, 28], crop.shape);
        Assert.Equal(28 * 28, crop.sum().item<float>());
        var pasted = MaskOps.Paste(ones(1, 28, 28), box, 64, 64);
        Assert.True(pasted[0].eq(gt[1].to(ScalarType.Bool)).all().item<bool>());
        // A mask that is on only in its left half covers the left half of the box.
        var half = zeros(1, 28, 28);
        half[0, .., TensorIndex.Slice(0, 14)] = 1;
        var left = MaskOps.Paste(half, box, 64, 64)[0];
        Assert.Equal(30 * 10, left.sum().item<long>());
        Assert.True(left[TensorIndex.Slice(20, 50), TensorIndex.Slice(10, 20)].all().item<bool>());
    }
}
