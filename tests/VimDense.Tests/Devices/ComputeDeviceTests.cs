using TorchSharp;
using VimDense.Config;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Devices;

/// <summary>The device spellings of the config key <c>device</c> and <c>--device</c>, and what a build without CUDA says.</summary>
public class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1, "cpu")]
    [InlineData(" CPU ", DeviceType.CPU, -1, "cpu")]
    [InlineData("cuda", DeviceType.CUDA, 0, "cuda")]
    [InlineData("cuda:0", DeviceType.CUDA, 0, "cuda")]
    [InlineData("Cuda:3", DeviceType.CUDA, 3, "cuda:3")]
    public void ParsesTheDeviceSpellings(string text, DeviceType type, int index, string canonical)
    {
        var device = ComputeDevice.Parse(text);
        Assert.Equal(type, device.Type);
        Assert.Equal(index, device.Index);
        Assert.Equal(canonical, device.ToString());
        Assert.Null(ComputeDevice.Problem(text));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:1:2")]
    [InlineData("cuda:99999999999")]
    [InlineData("")]
    [InlineData(null)]
    public void RejectsOtherSpellingsInOneLineNamingTheOrigin(string? text)
    {
        var error = Assert.Throws<UserInputException>(() => ComputeDevice.Parse(text, "--device"));
        Assert.StartsWith($"--device: '{text}': expected cpu, cuda or cuda:N", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void CpuResolvesToTheCpuDevice()
    {
        var device = ComputeDevice.Parse("cpu").Resolve();
        Assert.Equal(DeviceType.CPU, device.type);
    }

    [CpuBackendFact]
    public void CudaOnACpuBuildSaysWhyInOneLine()
    {
        var error = Assert.Throws<UserInputException>(() => ComputeDevice.Parse("cuda:1").Resolve("device"));
        Assert.StartsWith("device 'cuda:1': this TorchSharp build has no CUDA backend (TorchSharp-cpu)", error.Message);
        Assert.Contains("--torch-backend cuda", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ConfigKeyDefaultsToCpuAndTakesAnExplicitOne()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        Assert.Equal("cpu", ConfigLoader.Load(path).Device);
        Assert.Equal("cpu", ConfigLoader.Load(path, ["device=cpu"]).Device);
        Assert.Equal("cuda:1", ConfigLoader.Load(path, ["device=cuda:1"]).Device);
    }

    [Fact]
    public void ConfigKeyRejectsABadDeviceAtLoadNamingKeyAndOrigin()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var error = Assert.ThrowsAny<Exception>(() => ConfigLoader.Load(path, ["device=gpu"]));
        Assert.Contains("device", error.Message);
        Assert.Contains("'gpu': expected cpu, cuda or cuda:N", error.Message);
        Assert.Contains("--set", error.Message);
    }
}
