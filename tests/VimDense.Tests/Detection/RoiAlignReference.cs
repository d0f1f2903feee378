using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>
/// RoIAlign written straight from torchvision's definition (reference/dense_prediction.md §7.1) with
/// TorchSharp ops: sample positions and bilinear weights per RoI in plain double arithmetic, then a
/// gather and a weighted sum, so autograd gives the exact gradient. Slow; the oracle of the tests.
/// </summary>
internal static class RoiAlignReference
{
    public static Tensor Apply(Tensor input, Tensor rois, int outH, int outW, double scale, int samplingRatio, bool aligned)
    {
        long channels = input.shape[1], height = input.shape[2], width = input.shape[3];
        var r = rois.to(ScalarType.Float64).data<double>().ToArray();
        var pooled = new List<Tensor>();
        for (var k = 0; k < rois.shape[0]; k++)
        {
            var roi = r.AsSpan(k * 5, 5);
            double offset = aligned ? 0.5 : 0.0;
            double x0 = roi[1] * scale - offset, y0 = roi[2] * scale - offset;
            double roiW = roi[3] * scale - offset - x0, roiH = roi[4] * scale - offset - y0;
            if (!aligned) { roiW = Math.Max(roiW, 1); roiH = Math.Max(roiH, 1); }
            double binH = roiH / outH, binW = roiW / outW;
            int gh = Math.Max(samplingRatio > 0 ? samplingRatio : (int)Math.Ceiling(roiH / outH), 0);
            int gw = Math.Max(samplingRatio > 0 ? samplingRatio : (int)Math.Ceiling(roiW / outW), 0);
            if (gh * gw == 0)
            {
                pooled.Add(zeros([channels, outH, outW], input.dtype));
                continue;
            }
            var index = new List<long>();
            var weight = new List<double>();
            for (var ph = 0; ph < outH; ph++)
            for (var pw = 0; pw < outW; pw++)
            for (var iy = 0; iy < gh; iy++)
            for (var ix = 0; ix < gw; ix++)
            {
                double y = y0 + ph * binH + (iy + 0.5) * binH / gh;
                double x = x0 + pw * binW + (ix + 0.5) * binW / gw;
                AddBilinear(index, weight, height, width, y, x);
            }
            var plane = input[(long)roi[0]].reshape(channels, height * width);
            var values = plane.index_select(1, tensor(index.ToArray())) * tensor(weight.ToArray(), input.dtype);
            var sums = values.reshape(channels, outH * outW, gh * gw * 4).sum(2);
            pooled.Add((sums / (gh * gw)).reshape(channels, outH, outW));
        }
        return pooled.Count == 0 ? zeros([0, channels, outH, outW], input.dtype) : stack(pooled);
    }

    // Four (index, weight) pairs per sample; samples outside [-1, H] x [-1, W] contribute zeros.
    private static void AddBilinear(List<long> index, List<double> weight, long height, long width, double y, double x)
    {
        if (y < -1 || y > height || x < -1 || x > width)
        {
            for (var j = 0; j < 4; j++) { index.Add(0); weight.Add(0); }
            return;
        }
        y = Math.Max(y, 0);
        x = Math.Max(x, 0);
        long yLow = (long)y, xLow = (long)x, yHigh = yLow + 1, xHigh = xLow + 1;
        if (yLow >= height - 1) { yLow = yHigh = height - 1; y = yLow; }
        if (xLow >= width - 1) { xLow = xHigh = width - 1; x = xLow; }
        double ly = y - yLow, lx = x - xLow;
        index.AddRange([yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh]);
        weight.AddRange([(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx]);
    }
}
