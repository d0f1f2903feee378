using OpenCvSharp;
using VimDense.Config;
using VimDense.IO;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// Reads images and label maps with OpenCV and turns every failure (missing, truncated, corrupt, wrong
/// channel count) into a <see cref="BadSampleException"/> that names the file. libjpeg decodes a truncated
/// JPEG into a grey-padded image with only a warning, so the end-of-image markers are checked first. Only regular
/// files are read (a link to /dev/zero never ends), the format is judged by content (<see cref="ImageHeader"/>), and
/// an image with more than <c>maxPixels</c> pixels is refused from its header, before it is decoded.
/// </summary>
public static class ImageFiles
{
    /// <summary>The pixel limit when none is configured (data.max_image_pixels).</summary>
    public const long DefaultMaxPixels = DataConfig.DefaultMaxImagePixels;

    /// <summary>Reads a colour image as BGR uint8 (OpenCV order), like mmcv's default 'color' flag.</summary>
    public static Mat ReadColor(string path, long maxPixels = DefaultMaxPixels)
    {
        var bytes = ReadChecked(path, maxPixels);
        var mat = Decode(path, bytes, ImreadModes.Color);
        if (mat.Type() != MatType.CV_8UC3)
        {
            mat.Dispose();
            throw new BadSampleException($"{path}: expected an 8-bit colour image");
        }
        return mat;
    }

    /// <summary>Reads a single-channel 8-bit label map unchanged (no palette or colour conversion).</summary>
    public static Mat ReadLabel(string path, long maxPixels = DefaultMaxPixels)
    {
        var bytes = ReadChecked(path, maxPixels);
        var mat = Decode(path, bytes, ImreadModes.Unchanged);
        if (mat.Type() != MatType.CV_8UC1)
        {
            var found = $"{mat.Channels()} channel(s), depth {mat.Depth()}";
            mat.Dispose();
            throw new BadSampleException($"{path}: expected a single-channel 8-bit label map, found {found}");
        }
        return mat;
    }

    private static Mat Decode(string path, byte[] bytes, ImreadModes mode)
    {
        Mat mat;
        try { mat = Cv2.ImDecode(bytes, mode); }
        catch (OpenCVException e) { throw new BadSampleException($"{path}: cannot decode image ({e.Message})", e); }
        if (mat.Empty())
        {
            mat.Dispose();
            throw new BadSampleException($"{path}: not a readable image (corrupt or unsupported format)");
        }
        return mat;
    }

    private static byte[] ReadChecked(string path, long maxPixels)
    {
        if (!File.Exists(path)) throw new BadSampleException($"{path}: file not found");
        long length;
        try { length = InputFile.CheckRegular(path, "readable image"); }
        catch (Exception e) when (e is UserInputException or InvalidDataException or IOException)
        {
            throw new BadSampleException(e.Message, e);
        }
        // A compressed image is never larger than its raw pixels (4 bytes each in a 32-bit BMP) plus its metadata.
        var maxBytes = maxPixels * 4 + (16L << 20);
        if (length > maxBytes) throw new BadSampleException($"{path}: {length} bytes, more than an image of at most {maxPixels} pixels can hold (data.max_image_pixels)");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new BadSampleException($"{path}: cannot read ({e.Message})", e); }
        if (bytes.Length == 0) throw new BadSampleException($"{path}: empty file");
        var header = ImageHeader.Read(bytes, path);
        if (header.Width == 0 || header.Height == 0) throw new BadSampleException($"{path}: {header.Format} header says {header.Width}x{header.Height}");
        if (header.Pixels > maxPixels)
            throw new BadSampleException($"{path}: {header.Format} image of {header.Width}x{header.Height} = {header.Pixels} pixels is above the limit of {maxPixels} (data.max_image_pixels)");
        if (header.Format == "JPEG" && !HasJpegEnd(bytes))
            throw new BadSampleException($"{path}: truncated JPEG (no end-of-image marker)");
        if (header.Format == "PNG" && !HasPngEnd(bytes))
            throw new BadSampleException($"{path}: truncated PNG (no IEND chunk)");
        return bytes;
    }

    /// <summary>An FF D9 marker near the end (some encoders append a few padding bytes after it).</summary>
    private static bool HasJpegEnd(byte[] b)
    {
        var start = Math.Max(2, b.Length - 1024);
        for (var i = b.Length - 2; i >= start; i--)
            if (b[i] == 0xFF && b[i + 1] == 0xD9) return true;
        return false;
    }

    private static bool HasPngEnd(byte[] b)
    {
        var start = Math.Max(8, b.Length - 1024);
        for (var i = b.Length - 8; i >= start; i--)
            if (b[i] == (byte)'I' && b[i + 1] == (byte)'E' && b[i + 2] == (byte)'N' && b[i + 3] == (byte)'D') return true;
        return false;
    }
}
