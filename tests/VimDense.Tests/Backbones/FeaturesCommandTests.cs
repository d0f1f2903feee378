using VimDense.IO;

namespace VimDense.Tests.Backbones;

/// <summary>`vimdense features` end to end on the reference fixtures.</summary>
public sealed class FeaturesCommandTests
{
    [Theory]
    [InlineData("vim_tiny_s16_img64_seed11_d4", ".pth", "16", false)]
    [InlineData("vim_tiny_s8_img64_seed12_d4", ".wrapped.pth", "8", true)]
    public void WritesTheReferenceFeaturesOrLogits(string name, string suffix, string stride, bool logits)
    {
        var output = Path.Combine(TestPaths.NewTempDir(), "out.npy");
        string[] args = ["features", "--model", "vim_tiny", "--checkpoint", TestPaths.Fixture("vim", name + suffix),
            "--input", TestPaths.Fixture("vim", name + ".input.npy"), "--output", output, "--stride", stride];
        var (code, stdout, stderr) = CliRunner.Run(logits ? [.. args, "--logits"] : args);
        Assert.True(code == 0, stderr);
        Assert.Contains(logits ? "logits [2, 1000]" : "features [2, 192]", stdout);
        using var actual = NpyFile.Read(output);
        using var expected = NpyFile.Read(TestPaths.Fixture("vim", name + (logits ? ".logits.npy" : ".features.npy")));
        VimFixtureTests.AssertClose(expected, actual);
    }

    [Fact]
    public void BadInputShapeIsAOneLineError()
    {
        var dir = TestPaths.NewTempDir();
        var input = Path.Combine(dir, "x.npy");
        using (var bad = TorchSharp.torch.zeros(2, 64, 64)) NpyFile.Write(input, bad);
        var (code, _, stderr) = CliRunner.Run("features", "--model", "vim_tiny", "--checkpoint",
            TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth"), "--input", input, "--output", Path.Combine(dir, "y.npy"));
        Assert.Equal(1, code);
        Assert.Contains("expected float32 (B, 3, H, W)", stderr);
    }
}
