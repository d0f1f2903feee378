using OpenCvSharp;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// PIL's <c>Image.resize</c> for uint8 images, bit for bit: what detectron2's ResizeTransform (BILINEAR for
/// images, NEAREST for bitmasks) and the classification evaluation transform (BICUBIC) compute. Bilinear and
/// bicubic are PIL's separable convolution: the filter is stretched by the shrink factor when shrinking (so it
/// antialiases, unlike cv2's INTER_LINEAR), weights are normalised per output pixel and quantised to 22-bit
/// fixed point, and the horizontal pass is rounded to uint8 before the vertical one. Nearest samples the pixel
/// under each output pixel's centre, stepping the source coordinate by repeated addition as PIL does.
/// Channels are resampled independently, so a BGR image gives PIL's result in BGR order.
/// </summary>
public static class PilResize
{
    // PIL keeps 8 bits for the value and 2 for the overshoot of negative bicubic lobes: 32 − 8 − 2.
    private const int PrecisionBits = 22;

    /// <summary>Resizes an interleaved (height, width, channels) uint8 image with 1 or 3 channels.</summary>
    public static byte[] Resize(ReadOnlySpan<byte> pixels, int width, int height, int channels, int newWidth, int newHeight, PilFilter filter)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"PIL resize of {channels} channels: expected 1 (L) or 3 (RGB)");
        if (width < 1 || height < 1 || newWidth < 1 || newHeight < 1)
            throw new ArgumentException($"PIL resize {width}x{height} -> {newWidth}x{newHeight}: sizes must be positive");
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"expected {(long)width * height * channels} bytes for {width}x{height}x{channels}, got {pixels.Length}");
        if (newWidth == width && newHeight == height) return pixels.ToArray();
        if (filter == PilFilter.Nearest) return Nearest(pixels, width, height, channels, newWidth, newHeight);

        if (newHeight == height) return Horizontal(pixels, width, channels, 0, height, newWidth, Kernel.Build(width, newWidth, filter));
        var vertical = Kernel.Build(height, newHeight, filter);
        if (newWidth == width) return Vertical(pixels, width * channels, 0, vertical);
        // Only the source rows the vertical pass reads go through the horizontal pass.
        var firstRow = vertical.Start[0];
        var lastRow = vertical.Start[newHeight - 1] + vertical.Count[newHeight - 1];
        var rows = Horizontal(pixels, width, channels, firstRow, lastRow, newWidth, Kernel.Build(width, newWidth, filter));
        return Vertical(rows, newWidth * channels, firstRow, vertical);
    }

    /// <summary>Resizes a continuous CV_8UC1 or CV_8UC3 Mat into a new Mat.</summary>
    public static unsafe Mat Resize(Mat image, Size size, PilFilter filter)
    {
        if (!image.IsContinuous() || (image.Type() != MatType.CV_8UC1 && image.Type() != MatType.CV_8UC3))
            throw new ArgumentException("PIL resize expects a continuous CV_8UC1 or CV_8UC3 image");
        var channels = image.Channels();
        var source = new ReadOnlySpan<byte>((byte*)image.DataPointer, image.Rows * image.Cols * channels);
        var resized = Resize(source, image.Cols, image.Rows, channels, size.Width, size.Height, filter);
        var result = new Mat(size.Height, size.Width, image.Type());
        resized.AsSpan().CopyTo(new Span<byte>((byte*)result.DataPointer, resized.Length));
        return result;
    }

    /// <summary>Horizontal pass over source rows [firstRow, lastRow).</summary>
    private static byte[] Horizontal(ReadOnlySpan<byte> src, int width, int channels, int firstRow, int lastRow, int newWidth, Kernel k)
    {
        var dst = new byte[(lastRow - firstRow) * newWidth * channels];
        for (var y = firstRow; y < lastRow; y++)
        {
            var line = src.Slice(y * width * channels, width * channels);
            var outLine = dst.AsSpan((y - firstRow) * newWidth * channels, newWidth * channels);
            for (var x = 0; x < newWidth; x++)
            {
                var weights = k.Weights.AsSpan(x * k.Stride, k.Count[x]);
                var start = k.Start[x] * channels;
                for (var c = 0; c < channels; c++)
                {
                    var sum = 1 << (PrecisionBits - 1);
                    for (var i = 0; i < weights.Length; i++) sum += line[start + i * channels + c] * weights[i];
                    outLine[x * channels + c] = Clip8(sum);
                }
            }
        }
        return dst;
    }

    /// <summary>Vertical pass over rows of <paramref name="stride"/> bytes, the first of which is source row <paramref name="firstRow"/>.</summary>
    private static byte[] Vertical(ReadOnlySpan<byte> src, int stride, int firstRow, Kernel k)
    {
        var dst = new byte[k.Start.Length * stride];
        var sums = new int[stride];
        for (var y = 0; y < k.Start.Length; y++)
        {
            // Integer sums are exact, so accumulating tap by tap over whole rows gives PIL's per-pixel result.
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            for (var i = 0; i < k.Count[y]; i++)
            {
                var w = k.Weights[y * k.Stride + i];
                var row = src.Slice((k.Start[y] - firstRow + i) * stride, stride);
                for (var x = 0; x < stride; x++) sums[x] += row[x] * w;
            }
            var outLine = dst.AsSpan(y * stride, stride);
            for (var x = 0; x < stride; x++) outLine[x] = Clip8(sums[x]);
        }
        return dst;
    }

    private static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static byte[] Nearest(ReadOnlySpan<byte> src, int width, int height, int channels, int newWidth, int newHeight)
    {
        var columns = NearestIndices(width, newWidth);
        var rows = NearestIndices(height, newHeight);
        var result = new byte[newHeight * newWidth * channels];
        for (var y = 0; y < newHeight; y++)
        {
            // PIL leaves pixels whose source falls outside the image at 0.
            if (rows[y] < 0) continue;
            for (var x = 0; x < newWidth; x++)
            {
                if (columns[x] < 0) continue;
                src.Slice((rows[y] * width + columns[x]) * channels, channels).CopyTo(result.AsSpan((y * newWidth + x) * channels, channels));
            }
        }
        return result;
    }

    /// <summary>PIL's ImagingScaleAffine: source index floor(0.5·s + x·s) accumulated in double, −1 when outside.</summary>
    private static int[] NearestIndices(int inSize, int outSize)
    {
        var step = (double)inSize / outSize;
        var position = step * 0.5;
        var indices = new int[outSize];
        for (var i = 0; i < outSize; i++)
        {
            var index = position < 0 ? -1 : (int)position;
            indices[i] = index < inSize ? index : -1;
            position += step;
        }
        return indices;
    }

    /// <summary>Per output pixel: first source pixel, number of taps and fixed-point weights (<see cref="Stride"/> per pixel).</summary>
    private sealed class Kernel(int[] start, int[] count, int[] weights, int stride)
    {
        public int[] Start { get; } = start;
        public int[] Count { get; } = count;
        public int[] Weights { get; } = weights;
        public int Stride { get; } = stride;

        /// <summary>PIL's precompute_coeffs and normalize_coeffs_8bpc for the whole axis (no crop box).</summary>
        public static Kernel Build(int inSize, int outSize, PilFilter filter)
        {
            var (function, filterSupport) = filter switch
            {
                PilFilter.Bilinear => ((Func<double, double>)Triangle, 1.0),
                PilFilter.Bicubic => (Cubic, 2.0),
                _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "not a convolution filter"),
            };
            var scale = (double)inSize / outSize;
            var filterScale = Math.Max(scale, 1.0);
            var support = filterSupport * filterScale;
            var stride = (int)Math.Ceiling(support) * 2 + 1;
            var invFilterScale = 1.0 / filterScale;
            var (start, count, weights) = (new int[outSize], new int[outSize], new int[outSize * stride]);
            var taps = new double[stride];
            for (var o = 0; o < outSize; o++)
            {
                var center = (o + 0.5) * scale;
                // Truncation toward zero then clamping, as PIL rounds the window ends.
                var min = Math.Max((int)(center - support + 0.5), 0);
                var n = Math.Min((int)(center + support + 0.5), inSize) - min;
                var total = 0.0;
                for (var i = 0; i < n; i++)
                {
                    taps[i] = function((i + min - center + 0.5) * invFilterScale);
                    total += taps[i];
                }
                for (var i = 0; i < n; i++)
                {
                    var w = total != 0.0 ? taps[i] / total : taps[i];
                    weights[o * stride + i] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
                }
                (start[o], count[o]) = (min, n);
            }
            return new Kernel(start, count, weights, stride);
        }

        private static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }

        // Keys' cubic convolution with a = −0.5, written as PIL evaluates it.
        private static double Cubic(double x)
        {
            const double a = -0.5;
            x = Math.Abs(x);
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }
    }
}
