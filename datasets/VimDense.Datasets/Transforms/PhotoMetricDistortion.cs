using OpenCvSharp;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// mmseg <c>PhotoMetricDistortion</c> on a BGR uint8 image, in its order: brightness (50%), a coin for the
/// contrast position, contrast now (50%, mode 1), saturation (50%), hue (50%), contrast last (50%, mode 0).
/// Each step rounds back to uint8 by clipping then truncating; contrast has no mean centring; saturation and
/// hue do separate OpenCV HSV round trips (H in [0,180)).
/// </summary>
public sealed class PhotoMetricDistortion(
    int brightnessDelta = 32, double contrastLower = 0.5, double contrastUpper = 1.5,
    double saturationLower = 0.5, double saturationUpper = 1.5, int hueDelta = 18)
{
    /// <summary>Distorts <paramref name="bgr"/> (CV_8UC3) in place.</summary>
    public void Apply(Mat bgr, Random rng)
    {
        if (Coin(rng)) Convert(bgr, 1.0, Uniform(rng, -brightnessDelta, brightnessDelta));
        var contrastFirst = rng.Next(2) == 1;
        if (contrastFirst && Coin(rng)) Convert(bgr, Uniform(rng, contrastLower, contrastUpper), 0.0);
        if (Coin(rng))
        {
            var alpha = Uniform(rng, saturationLower, saturationUpper);
            WithHsv(bgr, hsv => ScaleChannel(hsv, 1, alpha));
        }
        if (Coin(rng))
        {
            var delta = rng.Next(-hueDelta, hueDelta); // numpy randint: upper bound exclusive
            WithHsv(bgr, hsv => ShiftHue(hsv, delta));
        }
        if (!contrastFirst && Coin(rng)) Convert(bgr, Uniform(rng, contrastLower, contrastUpper), 0.0);
    }

    private static bool Coin(Random rng) => rng.Next(2) == 1;

    private static double Uniform(Random rng, double lo, double hi) => lo + rng.NextDouble() * (hi - lo);

    /// <summary>v ← uint8(clip(float32(v)·alpha + beta, 0, 255)) on every channel.</summary>
    internal static unsafe void Convert(Mat image, double alpha, double beta)
    {
        var (a, b) = ((float)alpha, (float)beta);
        var p = (byte*)image.DataPointer;
        long n = image.Total() * image.Channels();
        for (long i = 0; i < n; i++)
            p[i] = (byte)Math.Clamp(p[i] * a + b, 0f, 255f);
    }

    private static unsafe void ScaleChannel(Mat hsv, int channel, double alpha)
    {
        var a = (float)alpha;
        var p = (byte*)hsv.DataPointer;
        long n = hsv.Total();
        for (long i = 0; i < n; i++)
            p[i * 3 + channel] = (byte)Math.Clamp(p[i * 3 + channel] * a, 0f, 255f);
    }

    private static unsafe void ShiftHue(Mat hsv, int delta)
    {
        var p = (byte*)hsv.DataPointer;
        long n = hsv.Total();
        for (long i = 0; i < n; i++)
            p[i * 3] = (byte)(((p[i * 3] + delta) % 180 + 180) % 180);
    }

    private static void WithHsv(Mat bgr, Action<Mat> edit)
    {
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV);
        edit(hsv);
        Cv2.CvtColor(hsv, bgr, ColorConversionCodes.HSV2BGR);
    }
}
