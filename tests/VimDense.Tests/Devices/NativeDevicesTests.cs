using TorchSharp;
using VimDense.Native;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Devices;

/// <summary>
/// Native ops refuse tensors on two devices, or on a device the library cannot run on, with one line naming the op and
/// the inputs; they never compute elsewhere behind the caller's back. (The meta device stands in for a second device.)
/// </summary>
public class NativeDevicesTests
{
    private static Device Meta => new(DeviceType.META);

    [Fact]
    public void MixedDevicesNameTheOpAndBothInputs()
    {
        using var a = zeros(4);
        using var b = zeros(new long[] { 4 }, device: Meta);
        var error = Assert.Throws<ArgumentException>(() => NativeDevices.Require("selective_scan", ("u", a), ("delta", null), ("z", b)));
        Assert.StartsWith("selective_scan: z is on meta, u on cpu: move all inputs to one device", error.Message);
    }

    [Fact]
    public void OneDeviceOfTheCpuPasses() =>
        NativeDevices.Require("nms", ("boxes", zeros(2, 4)), ("scores", zeros(2)));

    [Fact]
    public void ADeviceWithoutNativeKernelsIsRefused()
    {
        using var x = zeros(new long[] { 1, 4, 8 }, device: Meta);
        var error = Assert.Throws<NotSupportedException>(() => NativeDevices.Require("causal_conv1d", ("x", x)));
        Assert.Equal("causal_conv1d: tensors on META are not supported by the native kernels (CPU or CUDA)", error.Message);
    }

    [Fact]
    public void CausalConv1dRefusesAWeightOnAnotherDevice() // checked by its argument validation, before NativeDevices
    {
        using var x = randn(1, 4, 8);
        using var weight = zeros(new long[] { 4, 3 }, device: Meta);
        var error = Assert.Throws<ArgumentException>(() => CausalConv1d.Apply(x, weight));
        Assert.StartsWith("weight is on meta, expected cpu like the first input", error.Message);
    }

    [Fact]
    public void NmsRefusesScoresOnAnotherDevice()
    {
        using var boxes = tensor(new float[] { 0, 0, 2, 2, 1, 1, 3, 3 }, [2, 4]);
        using var scores = zeros(new long[] { 2 }, device: Meta);
        var error = Assert.Throws<ArgumentException>(() => Nms.Apply(boxes, scores, 0.5));
        Assert.StartsWith("nms: scores is on meta, boxes on cpu", error.Message);
        using var classes = zeros(new long[] { 2 }, ScalarType.Int64, Meta);
        error = Assert.Throws<ArgumentException>(() => Nms.Batched(boxes, tensor(new float[] { 1, 2 }), classes, 0.5));
        Assert.StartsWith("batched_nms: classIdxs is on meta, boxes on cpu", error.Message);
    }

    [Fact]
    public void LibraryReportsItsCudaArchitecturesConsistently()
    {
        // Without CUDA kernels there is nothing to list and no device to describe; with them, the configured list.
        Assert.Equal(!NativeInfo.HasCuda, NativeInfo.CudaArchitectures.Count == 0);
        Assert.All(NativeInfo.CudaArchitectures, a => Assert.Matches("^[0-9]+[a-z-]*$", a));
        Assert.False(NativeInfo.CudaKernelsFit(NativeInfo.CudaDeviceCount));
        if (!NativeInfo.HasCuda)
            Assert.Contains("without CUDA kernels", Assert.Throws<NotSupportedException>(() => NativeInfo.CudaDevice(0)).Message);
    }

    [GpuFact]
    public void CudaTensorsPassAndTheKernelsFitEveryVisibleGpu()
    {
        using var boxes = tensor(new float[] { 0, 0, 2, 2, 1, 1, 3, 3 }, [2, 4]).cuda();
        using var scores = tensor(new float[] { 1, 2 }).cuda();
        NativeDevices.Require("nms", ("boxes", boxes), ("scores", scores));
        for (var gpu = 0; gpu < NativeInfo.CudaDeviceCount; gpu++)
        {
            Assert.True(NativeInfo.CudaKernelsFit(gpu), NativeInfo.CudaDevice(gpu).ToString());
            Assert.NotEqual("", NativeInfo.CudaDevice(gpu).Name);
        }
    }

    [GpuFact]
    public void CudaTensorsAndCpuTensorsDoNotMix()
    {
        using var boxes = tensor(new float[] { 0, 0, 2, 2, 1, 1, 3, 3 }, [2, 4]).cuda();
        using var scores = tensor(new float[] { 1, 2 });
        var error = Assert.Throws<ArgumentException>(() => Nms.Apply(boxes, scores, 0.5));
        Assert.StartsWith("nms: scores is on cpu, boxes on cuda", error.Message);
    }
}
