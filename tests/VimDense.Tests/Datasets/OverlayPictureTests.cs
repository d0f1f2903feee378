using OpenCvSharp;
using VimDense.Datasets.Visual;

namespace VimDense.Tests.Datasets;

/// <summary>The overlay pictures: panels, their pixels, the legend and the detection labels.</summary>
public class OverlayPictureTests
{
    private static readonly (byte R, byte G, byte B)[] Palette = [(200, 0, 0), (0, 100, 0), (20, 40, 240)];
    private static readonly string[] Names = ["road", "tree", "sky"];

    /// <summary>How many pixels of the picture's columns [x0, x1) are exactly the BGR colour.</summary>
    private static int Count(Mat picture, int x0, int x1, Vec3b bgr)
    {
        var n = 0;
        for (var y = 0; y < picture.Rows; y++)
            for (var x = x0; x < x1; x++)
                if (picture.At<Vec3b>(y, x) == bgr) n++;
        return n;
    }

    private static Vec3b Half((byte R, byte G, byte B) c) => new((byte)(c.B / 2), (byte)(c.G / 2), (byte)(c.R / 2));

    private static Vec3b Full((byte R, byte G, byte B) c) => new(c.B, c.G, c.R);

    [Fact]
    public void SegmentationPanelsShowImageGroundTruthAndPredictionWithALegendOfTheClassesPresent()
    {
        // A black 40x60 image: a blended panel pixel is exactly half its label colour (all palette values are even).
        using var black = new Mat(40, 60, MatType.CV_8UC3, Scalar.All(0));
        var truth = new byte[40 * 60];
        var prediction = new byte[40 * 60];
        for (var i = 0; i < truth.Length; i++)
        {
            truth[i] = (byte)(i % 60 < 30 ? 0 : 1);
            prediction[i] = (byte)(i % 60 < 20 ? 0 : 1);
        }
        truth[0] = 255; // ignored: black, and in no legend entry
        using var picture = SegmentationPanels.Draw(black, [("ground truth", truth), ("prediction", prediction)], 40, 60, Names, Palette);

        const int k = 10; // 40 pixels enlarged to at least 384: a factor of 10
        var panel = 60 * k;
        Assert.Equal(3 * panel, picture.Cols);
        Assert.True(picture.Rows > 40 * k, "title and legend strips");
        Assert.Equal((30 * 40 - 1) * k * k, Count(picture, panel, 2 * panel, Half(Palette[0])));
        Assert.Equal(30 * 40 * k * k, Count(picture, panel, 2 * panel, Half(Palette[1])));
        Assert.Equal(20 * 40 * k * k, Count(picture, 2 * panel, 3 * panel, Half(Palette[0])));
        Assert.Equal(40 * 40 * k * k, Count(picture, 2 * panel, 3 * panel, Half(Palette[1])));
        Assert.Equal(0, Count(picture, 0, panel, Half(Palette[1])));
        // The legend: a full-colour swatch of each class present, none of the absent "sky".
        Assert.True(Count(picture, 0, picture.Cols, Full(Palette[0])) > 0);
        Assert.True(Count(picture, 0, picture.Cols, Full(Palette[1])) > 0);
        Assert.Equal(0, Count(picture, 0, picture.Cols, Full(Palette[2])));
    }

    [Fact]
    public void LargeImagesAreNotEnlarged()
    {
        using var image = new Mat(400, 500, MatType.CV_8UC3, Scalar.All(0));
        using var picture = SegmentationPanels.Draw(image, [("prediction", new byte[400 * 500])], 400, 500, Names, Palette);
        Assert.Equal(1000, picture.Cols);
    }

    [Fact]
    public void DetectionLabelsShowClassAndScoreOnTheClassColourAboveTheBox()
    {
        using var black = new Mat(64, 64, MatType.CV_8UC3, Scalar.All(0));
        const int k = 6; // 64 → 384
        Mat Draw(IReadOnlyList<double>? scores) =>
            OverlayRenderer.Detection(black, [(10f, 30f, 50f, 60f)], [2], [[]], Names, scores: scores);
        using var withScore = Draw([0.87]);
        using var withoutScore = Draw(null);
        Assert.Equal(new Size(64 * k, 64 * k), withScore.Size());

        var colour = OverlayRenderer.DetectionColour(2);
        var bgr = new Vec3b((byte)colour.Val0, (byte)colour.Val1, (byte)colour.Val2);
        // The label box sits above the box's top edge (y = 180), from its left edge (x = 60): filled with the class colour, with text in it.
        int LabelPixels(Mat picture, out int text)
        {
            var (filled, other) = (0, 0);
            for (var y = 0; y < 30 * k; y++)
                for (var x = 0; x < picture.Cols; x++)
                {
                    var p = picture.At<Vec3b>(y, x);
                    if (p == bgr) filled++;
                    else if (p != new Vec3b(0, 0, 0)) other++;
                }
            text = other;
            return filled;
        }
        var scored = LabelPixels(withScore, out var scoredText);
        var plain = LabelPixels(withoutScore, out var plainText);
        Assert.True(scored > 500, $"label box of {scored} pixels");
        Assert.True(scoredText > 50 && plainText > 50, "text drawn in the label");
        Assert.True(scored + scoredText > plain + plainText, "'sky 0.87' is wider than 'sky'");
        Assert.Equal(bgr, withScore.At<Vec3b>(30 * k - 2, 10 * k + 1));
    }
}
