using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// In-place truncated normal initialisation (PyTorch's inverse-CDF method: uniform in CDF space, erfinv,
/// clamp). TorchSharp 0.107's <c>nn.init.trunc_normal_</c> fills the tensor with a single constant, so it is not used.
/// </summary>
public static class TruncatedNormal
{
    /// <param name="a">Lower cut-off in absolute units (timm default -2).</param>
    /// <param name="b">Upper cut-off in absolute units (timm default 2).</param>
    public static Tensor Fill(Tensor tensor, double std, double mean = 0, double a = -2, double b = 2)
    {
        static double NormalCdf(double x) => (1 + Erf(x / Math.Sqrt(2))) / 2;
        var low = NormalCdf((a - mean) / std);
        var high = NormalCdf((b - mean) / std);
        using var noGrad = no_grad();
        tensor.uniform_(2 * low - 1, 2 * high - 1).erfinv_().mul_(std * Math.Sqrt(2)).add_(mean).clamp_(a, b);
        return tensor;
    }

    // Abramowitz-Stegun 7.1.26 is too coarse for cut-offs far in the tail; use the series/continued-fraction pair.
    private static double Erf(double x)
    {
        if (x < 0) return -Erf(-x);
        if (x < 3)
        {
            // Maclaurin series, converges fast for |x| < 3.
            double sum = x, term = x;
            for (var n = 1; n < 100; n++)
            {
                term *= -x * x / n;
                var add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17) break;
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // Continued fraction for erfc at large x.
        double f = 0;
        for (var n = 60; n >= 1; n--) f = n / 2.0 / (x + f);
        return 1 - Math.Exp(-x * x) / Math.Sqrt(Math.PI) / (x + f);
    }
}
