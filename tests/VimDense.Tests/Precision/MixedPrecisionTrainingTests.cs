using VimDense.Experiments;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Precision;

/// <summary>bf16 training end to end: bit-identical resume on CPU, and the segmentation demo learns as in fp32.</summary>
[Collection(GlobalRngCollection.Name)]
public class MixedPrecisionTrainingTests
{
    [Fact]
    public void Bf16TrainingResumesBitIdentically()
    {
        var fp32 = ResumeTests.Train(TestPaths.NewTempDir(), 6, resume: false);
        var straight = ResumeTests.Train(TestPaths.NewTempDir(), 6, resume: false, precision: VimDense.Engine.Precision.Bf16);
        Assert.NotEqual(fp32.Losses, straight.Losses); // the heads really ran in bf16
        var dir = TestPaths.NewTempDir();
        var first = ResumeTests.Train(dir, 3, resume: false, precision: VimDense.Engine.Precision.Bf16);
        var second = ResumeTests.Train(dir, 6, resume: true, precision: VimDense.Engine.Precision.Bf16);
        Assert.Equal(straight.Losses, first.Losses.Concat(second.Losses).ToList());
        foreach (var (name, value) in straight.Weights)
        {
            Assert.Equal(value.dtype, second.Weights[name].dtype); // master weights stay float32
            Assert.True(value.eq(second.Weights[name]).all().item<bool>(), $"{name} differs after resume");
        }
    }

    [Fact]
    public void DetectionRefusesMixedPrecisionWithOneLine()
    {
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json");
        var e = Assert.Throws<UserInputException>(() => Experiment.FromConfig(config, ["train.precision=bf16"], TestPaths.NewTempDir()));
        Assert.Contains("detection runs in fp32 only", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>
    /// The segmentation demo's schedule in fp32 and in bf16 (train and test precision): bf16's mIoU is within 10 points
    /// of fp32's (the demo reaches well above chance in both; bf16 rounds every linear/conv input to 8 mantissa bits).
    /// </summary>
    [SlowFact]
    public void SegmentationDemoLearnsInBf16AsInFp32()
    {
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var data = Path.Combine(TestPaths.NewTempDir(), "synthetic_ade20k");
        double MeanIou(string precision) =>
            Experiment.FromConfig(config, [$"data.root={data}", $"train.precision={precision}", $"test.precision={precision}", "train.tensor_board=false", "train.overlay_images=0"],
                TestPaths.NewTempDir()).Train().Evaluation.Summary()["mIoU"];
        var fp32 = MeanIou("fp32");
        var bf16 = MeanIou("bf16");
        Assert.True(fp32 > 30, $"fp32 demo mIoU {fp32:F1}: the demo itself did not learn");
        Assert.True(bf16 > fp32 - 10, $"bf16 demo mIoU {bf16:F1} vs fp32 {fp32:F1}");
    }
}
