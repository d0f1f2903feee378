using TorchSharp;
using VimDense.Backbones;
using VimDense.Experiments;
using VimDense.Datasets.Loading;
using VimDense.Heads.Detection;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>
/// The detector on a Vision Mamba backbone, fed by the data pipeline's collator: a training step and a
/// prediction mapped back to original image sizes.
/// </summary>
public class DetectorIntegrationTests
{
    private static DetectionSample Sample(long id, int height, int width, int seed, params (double X1, double Y1, double X2, double Y2, int Cls)[] boxes)
    {
        var rng = new Random(seed);
        var image = new float[3 * height * width];
        for (var i = 0; i < image.Length; i++) image[i] = (float)(rng.NextDouble() * 2 - 1);
        return new DetectionSample
        {
            ImageId = id, FileName = $"{id}.jpg", OriginalHeight = height * 2, OriginalWidth = width * 2,
            Image = image, Height = height, Width = width, ScaleX = 0.5, ScaleY = 0.5,
            Instances = boxes.Select(b => new Instance(b.X1, b.Y1, b.X2, b.Y2, b.Cls,
                [new[] { b.X1, b.Y1, b.X2, b.Y1, b.X2, b.Y2, b.X1, b.Y2 }])).ToList(),
        };
    }

    [Fact]
    public void VimBackboneDetectorTrainsAndPredictsOnACollatedBatch()
    {
        manual_seed(6);
        var backbone = BackboneFactory.Create("vim_tiny", new VimOptions { ImgSize = 64, Depth = 2, OutIndices = [1] });
        var model = new CascadeMaskRcnn(backbone, new CascadeMaskRcnnOptions
        {
            PyramidChannels = 32,
            Rpn = new RpnOptions { PreNmsTopKTrain = 200, PostNmsTopKTrain = 50, PreNmsTopKTest = 200, PostNmsTopKTest = 50 },
            RoiHeads = new RoiHeadsOptions { NumClasses = 5, ConvDim = 16, BoxConvLayers = 1, MaskConvLayers = 1, FcDim = 32, BatchSizePerImage = 16 },
        });
        using var batch = new DetectionCollator(64, 64, withMasks: true).Collate([
            Sample(1, 64, 64, 1, (4, 6, 30, 40, 2), (35, 10, 60, 30, 4)),
            Sample(2, 48, 56, 2, (10, 10, 40, 30, 0)),
        ]);
        Assert.Equal([2L, 3, 64, 64], batch.Images.shape);
        model.train();
        var losses = model.Losses(batch.Images, DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.Targets(batch, withMasks: true));
        foreach (var (name, loss) in losses) Assert.True(loss.isfinite().item<bool>(), name);
        losses.Values.Aggregate((a, b) => a + b).backward();
        Assert.Contains(backbone.Module.parameters(), p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);

        model.eval();
        var detections = model.Predict(batch.Images, DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.OriginalSizes(batch));
        Assert.Equal([detections[1].Boxes.shape[0], 96L, 112], detections[1].Masks!.shape);
        Assert.True(detections[1].Boxes.numel() == 0 || detections[1].Boxes[.., 2].le(112).all().item<bool>());
    }
}
