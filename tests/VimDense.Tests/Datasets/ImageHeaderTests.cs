using OpenCvSharp;
using VimDense.Datasets;
using VimDense.Datasets.Transforms;

namespace VimDense.Tests.Datasets;

/// <summary>
/// The header reader agrees with OpenCV's decoder on the size of every format VimDense reads, and the pixel limit
/// refuses an image from its header alone.
/// </summary>
public class ImageHeaderTests
{
    [Theory]
    [InlineData(".jpg", 37, 81, false)]
    [InlineData(".jpg", 640, 3, true)] // progressive: SOF2
    [InlineData(".png", 1, 300, false)]
    [InlineData(".bmp", 77, 21, false)]
    public void TheHeaderSizeIsTheDecodedSize(string extension, int width, int height, bool progressive)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(10, 200, 30));
        int[] flags = progressive ? [(int)ImwriteFlags.JpegProgressive, 1] : [];
        Cv2.ImEncode(extension, image, out var bytes, flags);
        var header = ImageHeader.Read(bytes, "x" + extension);
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Color);
        Assert.Equal((decoded.Width, decoded.Height), ((int)header.Width, (int)header.Height));
        Assert.Equal((width, height), ((int)header.Width, (int)header.Height));
    }

    [Fact]
    public void AnImageAboveThePixelLimitIsABadSampleNamingTheLimit()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "wide.png");
        using (var image = new Mat(10, 20, MatType.CV_8UC3, Scalar.All(0))) Cv2.ImWrite(path, image);
        using (var ok = ImageFiles.ReadColor(path, maxPixels: 200)) Assert.Equal(20, ok.Width);
        var error = Assert.Throws<BadSampleException>(() => ImageFiles.ReadColor(path, maxPixels: 199));
        Assert.Contains($"{path}: PNG image of 20x10 = 200 pixels is above the limit of 199 (data.max_image_pixels)", error.Message);
    }

    [Fact]
    public void AJpegWithoutAFrameHeaderIsRefused()
    {
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xD9];
        var error = Assert.Throws<BadSampleException>(() => ImageHeader.Read(bytes, "cut.jpg"));
        Assert.Contains("cut.jpg: corrupt JPEG (no frame header", error.Message);
    }
}
