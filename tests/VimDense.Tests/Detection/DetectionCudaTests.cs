using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>The CUDA kernels against the CPU kernels (run only where a GPU and a CUDA build exist).</summary>
public class DetectionCudaTests
{
    [GpuFact]
    public void RoiAlignOnCudaMatchesCpuForwardAndBackward()
    {
        manual_seed(4);
        var input = randn(2, 8, 40, 36);
        var xy = rand(300, 2) * 160 - 10;
        var wh = rand(300, 2) * 120;
        var rois = cat([randint(0, 2, [300, 1]).to(ScalarType.Float32), xy, xy + wh], 1);
        var upstream = randn(300, 8, 7, 7);
        var cpuInput = input.clone().requires_grad_(true);
        var cpu = RoiAlign.Apply(cpuInput, rois, 7, 7, 0.25);
        (cpu * upstream).sum().backward();
        var gpuInput = input.cuda().requires_grad_(true);
        var gpu = RoiAlign.Apply(gpuInput, rois.cuda(), 7, 7, 0.25);
        (gpu * upstream.cuda()).sum().backward();
        Assert.True(allclose(gpu.cpu(), cpu, rtol: 1e-4, atol: 1e-5));
        Assert.True(allclose(gpuInput.grad!.cpu(), cpuInput.grad!, rtol: 1e-4, atol: 1e-4));
        var half = RoiAlign.Apply(input.cuda().half(), rois.cuda().half(), 7, 7, 0.25);
        Assert.True(allclose(half.cpu().to(ScalarType.Float32), cpu.detach(), rtol: 2e-2, atol: 2e-2));
    }

    [GpuFact]
    public void NmsOnCudaMatchesCpu()
    {
        manual_seed(5);
        var xy = rand(3000, 2) * 500;
        var boxes = cat([xy, xy + rand(3000, 2) * 80 + 1], 1);
        var scores = rand(3000);
        var classes = randint(0, 20, [3000]);
        Assert.Equal(Nms.Apply(boxes, scores, 0.5).data<long>().ToArray(),
            Nms.Apply(boxes.cuda(), scores.cuda(), 0.5).cpu().data<long>().ToArray());
        Assert.Equal(Nms.Batched(boxes, scores, classes, 0.7).data<long>().ToArray(),
            Nms.Batched(boxes.cuda(), scores.cuda(), classes.cuda(), 0.7).cpu().data<long>().ToArray());
    }
}
