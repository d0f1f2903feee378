using VimDense.Checkpoints;

namespace VimDense.Tests.Checkpoints;

public class ConvertCommandTests
{
    [Theory]
    [InlineData("vim_tiny_s16_img64_seed11_d4.pth", null)]
    [InlineData("vim_tiny_s8_img64_seed12_d4.wrapped.pth", "model")]
    public void ConvertWritesIdenticalTensorsAndASummary(string fixture, string? key)
    {
        var input = TestPaths.Fixture("vim", fixture);
        var dir = TestPaths.NewTempDir();
        var output = Path.Combine(dir, "out.safetensors");
        string[] args = key is null ? ["convert", input, output] : ["convert", input, output, "--key", key];
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);

        var expected = TorchCheckpoint.LoadStateDict(input);
        var actual = SafeTensors.Load(output);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (k, v) in expected) TensorAssert.Identical(v, actual[k], k);

        var parameters = expected.Values.Sum(t => t.numel());
        Assert.Contains($"{expected.Count} tensors, {parameters:N0} parameters, {parameters * 4:N0} bytes", stdout);
        Assert.Single(stdout.Trim().Split('\n'));
        Assert.Equal(["out.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void BadInputsExitWithOneLine()
    {
        var dir = TestPaths.NewTempDir();
        var wrapped = TestPaths.Fixture("vim", "vim_tiny_s8_img64_seed12_d4.wrapped.pth");
        foreach (var args in new[]
                 {
                     new[] { "convert", Path.Combine(dir, "missing.pth"), Path.Combine(dir, "a.safetensors") },
                     new[] { "convert", wrapped, Path.Combine(dir, "b.safetensors"), "--key", "optimizer" },
                     new[] { "convert", wrapped, Path.Combine(dir, "c.npz") },
                 })
        {
            var (code, stdout, stderr) = CliRunner.Run(args);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.StartsWith("vimdense: ", stderr);
            Assert.Single(stderr.Trim().Split('\n'));
        }
        Assert.Empty(Directory.GetFiles(dir));
    }
}
