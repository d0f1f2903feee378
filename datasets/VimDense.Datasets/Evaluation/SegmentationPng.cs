using OpenCvSharp;
using VimDense.Datasets.Transforms;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Label maps as 8-bit single-channel PNG files (one class index per pixel), the format of ADE20K annotations
/// and of the prediction files `vimdense miou` reads.
/// </summary>
public static class SegmentationPng
{
    /// <summary>
    /// Reads an 8-bit single-channel image; returns its row-major pixels and size. Through <see cref="ImageFiles"/>, so
    /// the same checks as for training images apply (regular file, format by content, pixel limit before decoding).
    /// </summary>
    public static (byte[] Pixels, int Height, int Width) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"label map not found: {path}", path);
        using var mat = ImageFiles.ReadLabel(path);
        int rows = mat.Rows, cols = mat.Cols;
        var pixels = new byte[rows * cols];
        if (mat.IsContinuous()) System.Runtime.InteropServices.Marshal.Copy(mat.Data, pixels, 0, pixels.Length);
        else
            for (var y = 0; y < rows; y++)
                System.Runtime.InteropServices.Marshal.Copy(mat.Ptr(y), pixels, y * cols, cols);
        return (pixels, rows, cols);
    }

    /// <summary>Writes a row-major label map (values 0..255) as a PNG; creates the folder if needed.</summary>
    public static void Write(string path, ReadOnlySpan<byte> labels, int height, int width)
    {
        if (labels.Length != (long)height * width)
            throw new ArgumentException($"label map has {labels.Length} pixels, expected {height}x{width}");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var mat = new Mat(height, width, MatType.CV_8UC1);
        unsafe
        {
            labels.CopyTo(new Span<byte>((void*)mat.Data, labels.Length));
        }
        if (!Cv2.ImWrite(path, mat)) throw new IOException($"could not write {path} (is the extension .png?)");
    }

    /// <summary>Writes an integer label map; every value must fit in 0..255.</summary>
    public static void Write(string path, ReadOnlySpan<int> labels, int height, int width)
    {
        var bytes = new byte[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] > 255) throw new ArgumentException($"label {labels[i]} at pixel {i} does not fit in an 8-bit PNG");
            bytes[i] = (byte)labels[i];
        }
        Write(path, bytes, height, width);
    }
}
