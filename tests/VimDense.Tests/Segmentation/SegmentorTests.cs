using TorchSharp;
using VimDense.Config;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Tests.Segmentation;

public class SegmentorTests
{
    private static EncoderDecoder TinySegmentor(int numClasses = 4)
    {
        manual_seed(1);
        var config = new ModelConfig
        {
            NumClasses = numClasses,
            DecodeHead = ConfigSection.Of("upernet", new UperHeadOptions { Channels = 8 }),
            AuxiliaryHead = ConfigSection.Of("fcn", new FcnHeadOptions { Channels = 8, InIndex = 2, LossWeight = 0.4 }),
        };
        return SegmentorBuilder.Build(config, new FakeBackbone());
    }

    [Fact]
    public void SlideEqualsWholeWhenOneCropCoversTheImage()
    {
        var model = TinySegmentor();
        model.eval();
        var image = randn(1, 3, 48, 64);
        var whole = model.Predict(image, 48, 64, new InferenceOptions { Mode = InferenceMode.Whole });
        var slide = model.Predict(image, 48, 64, new InferenceOptions { Mode = InferenceMode.Slide, CropSize = 64, Stride = 32 });
        Assert.Equal(new long[] { 1, 4, 48, 64 }, whole.shape);
        Assert.True(whole.allclose(slide, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void SlideAveragesOverlappingWindowsByCoverage()
    {
        var model = TinySegmentor();
        model.eval();
        var image = randn(1, 3, 32, 48);
        using var _ = no_grad();
        var slide = SlidingWindow.Infer(model, image, 32, 16, 4);
        var left = model.forward(image[.., .., .., ..32]);
        var right = model.forward(image[.., .., .., 16..]);
        var expected = zeros(1, 4, 32, 48);
        expected[.., .., .., ..16] = left[.., .., .., ..16];
        expected[.., .., .., 16..32] = (left[.., .., .., 16..] + right[.., .., .., ..16]) / 2;
        expected[.., .., .., 32..] = right[.., .., .., 16..];
        Assert.True(slide.allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void WindowsFollowMmsegIncludingTheShiftedLastWindow()
    {
        var windows = SlidingWindow.Windows(512, 683, 512, 341);
        Assert.Equal([(0L, 0L, 512L, 512L), (0L, 171L, 512L, 683L)], windows);
        Assert.Single(SlidingWindow.Windows(300, 400, 512, 341));
        Assert.Equal(16, SlidingWindow.Windows(1200, 1200, 512, 341).Count); // (1200 − 512 + 340) // 341 + 1 = 4 per side
    }

    [Fact]
    public void FlipAndScaleAugmentationGivesProbabilities()
    {
        var model = TinySegmentor();
        model.eval();
        var probabilities = model.Predict(randn(1, 3, 64, 64), 40, 50, new InferenceOptions { Mode = InferenceMode.Whole, Flip = true, Scales = [0.5, 1.0] });
        Assert.Equal(new long[] { 1, 4, 40, 50 }, probabilities.shape);
        Assert.True(probabilities.sum(1).allclose(ones(1, 40, 50), atol: 1e-5));
    }

    [Fact]
    public void LossIgnores255AndAveragesOverAllPixelsLikeMmseg()
    {
        // One image, 2 classes, 1×3 pixels: logits (1, 0), (0, 2), (5, 5); labels 0, 1, 255.
        var logits = tensor(new float[] { 1, 0, 5, 0, 2, 5 }).reshape(1, 2, 1, 3);
        var labels = tensor(new long[] { 0, 1, 255 }).reshape(1, 1, 3);
        double Ce(double correct, double other) => -correct + Math.Log(Math.Exp(correct) + Math.Exp(other));
        var summed = Ce(1, 0) + Ce(2, 0);
        Assert.Equal(summed / 3, new SegmentationLoss().Compute(logits, labels).item<float>(), 5);
        Assert.Equal(summed / 2, new SegmentationLoss(AverageNonIgnored: true).Compute(logits, labels).item<float>(), 5);
        Assert.Equal(0.4 * summed / 3, new SegmentationLoss(Weight: 0.4).Compute(logits, labels).item<float>(), 5);
        // Changing the ignored pixel's logits changes nothing.
        var other = logits.clone();
        other[0, .., 0, 2] = tensor(new float[] { -9, 9 });
        Assert.Equal(new SegmentationLoss().Compute(logits, labels).item<float>(), new SegmentationLoss().Compute(other, labels).item<float>());
    }

    [Fact]
    public void TrainingLossAddsTheWeightedAuxiliaryLoss()
    {
        var model = TinySegmentor();
        model.train();
        var labels = randint(0, 4, [2, 64, 64]).to(int64);
        var (losses, accuracy) = model.Loss(randn(2, 3, 64, 64), labels);
        Assert.Equal(losses["decode.loss_ce"].item<float>() + losses["aux.loss_ce"].item<float>(), losses["loss"].item<float>(), 5);
        Assert.InRange(accuracy, 0, 100);
        losses["loss"].backward();
        Assert.Contains(model.named_parameters(), p => p.name.StartsWith("auxiliary_head.") && p.parameter.grad is not null);
    }

    [Fact]
    public void BuilderRejectsUnknownComponentNames()
    {
        var config = new ModelConfig { NumClasses = 150, DecodeHead = ConfigSection.Of("pspnet") };
        var error = Assert.Throws<UserInputException>(() => SegmentorBuilder.Build(config, new FakeBackbone()));
        Assert.Contains("pspnet", error.Message);
        Assert.Contains("upernet", error.Message);
    }
}
