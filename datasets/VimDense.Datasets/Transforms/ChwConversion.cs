using OpenCvSharp;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// Converts pipeline images (BGR uint8 <see cref="Mat"/>) to normalised planar float arrays, padding at the
/// bottom/right with 0 in normalised space, and label maps to byte arrays padded with the ignore index.
/// </summary>
public static class ChwConversion
{
    /// <summary>Normalised (3, padH, padW) float array; pixels outside the image are 0.</summary>
    public static unsafe float[] ToNormalizedChw(Mat bgr, NormalizeOptions norm, int padHeight, int padWidth)
    {
        var (h, w) = (bgr.Rows, bgr.Cols);
        if (padHeight < h || padWidth < w)
            throw new ArgumentException($"pad size {padHeight}x{padWidth} is smaller than the image {h}x{w}");
        if (!bgr.IsContinuous() || bgr.Type() != MatType.CV_8UC3)
            throw new ArgumentException("expected a continuous CV_8UC3 image");
        var plane = padHeight * padWidth;
        var result = new float[3 * plane];
        var src = (byte*)bgr.DataPointer;
        for (var c = 0; c < 3; c++)
        {
            // Output channel c is RGB channel c; in BGR memory that is 2 - c.
            var srcChannel = norm.ToRgb ? 2 - c : c;
            var (mean, invStd) = (norm.Mean[c], 1f / norm.Std[c]);
            for (var y = 0; y < h; y++)
            {
                var row = src + (long)y * w * 3;
                var dst = c * plane + y * padWidth;
                for (var x = 0; x < w; x++) result[dst + x] = (row[x * 3 + srcChannel] - mean) * invStd;
            }
        }
        return result;
    }

    /// <summary>The label map as a (padH, padW) byte array; pixels outside are <paramref name="padValue"/>.</summary>
    public static unsafe byte[] ToPaddedLabel(Mat label, int padHeight, int padWidth, byte padValue = 255)
    {
        var (h, w) = (label.Rows, label.Cols);
        if (padHeight < h || padWidth < w)
            throw new ArgumentException($"pad size {padHeight}x{padWidth} is smaller than the label {h}x{w}");
        var result = new byte[padHeight * padWidth];
        if (padHeight != h || padWidth != w) Array.Fill(result, padValue);
        var src = (byte*)label.DataPointer;
        for (var y = 0; y < h; y++)
            new ReadOnlySpan<byte>(src + (long)y * w, w).CopyTo(result.AsSpan(y * padWidth, w));
        return result;
    }

    /// <summary>The inverse of <see cref="ToNormalizedChw"/> for display: BGR uint8 of size h×w.</summary>
    public static unsafe Mat ToBgr(float[] chw, int height, int width, NormalizeOptions norm, int planeHeight = -1, int planeWidth = -1)
    {
        if (planeHeight < 0) planeHeight = height;
        if (planeWidth < 0) planeWidth = width;
        var plane = planeHeight * planeWidth;
        var mat = new Mat(height, width, MatType.CV_8UC3);
        var dst = (byte*)mat.DataPointer;
        for (var c = 0; c < 3; c++)
        {
            var dstChannel = norm.ToRgb ? 2 - c : c;
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var v = chw[c * plane + y * planeWidth + x] * norm.Std[c] + norm.Mean[c];
                dst[((long)y * width + x) * 3 + dstChannel] = (byte)Math.Clamp(MathF.Round(v), 0f, 255f);
            }
        }
        return mat;
    }

    /// <summary>Copies a continuous single-channel uint8 Mat into a new array.</summary>
    public static unsafe byte[] ToBytes(Mat mat)
    {
        if (!mat.IsContinuous() || mat.Type() != MatType.CV_8UC1) throw new ArgumentException("expected a continuous CV_8UC1 map");
        var result = new byte[mat.Rows * mat.Cols];
        new ReadOnlySpan<byte>((byte*)mat.DataPointer, result.Length).CopyTo(result);
        return result;
    }

    /// <summary>Wraps a copy of <paramref name="data"/> in a new single-channel uint8 Mat.</summary>
    public static unsafe Mat FromBytes(byte[] data, int height, int width)
    {
        if (data.Length != height * width) throw new ArgumentException($"expected {height * width} bytes, got {data.Length}");
        var mat = new Mat(height, width, MatType.CV_8UC1);
        data.AsSpan().CopyTo(new Span<byte>((byte*)mat.DataPointer, data.Length));
        return mat;
    }
}
