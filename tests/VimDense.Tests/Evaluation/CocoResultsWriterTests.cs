using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Masks;

namespace VimDense.Tests.Evaluation;

public class CocoResultsWriterTests
{
    [Fact]
    public void WrittenResultsLoadBackWithTheSameBoxesMasksAndScores()
    {
        var gt = new CocoTestData(images: 2, categories: 2, size: 50).Gt(1, 0, 0, 10, 10).GroundTruth;
        var mask = RleCodec.FromPolygon([5, 5, 30, 8, 20, 40], 50, 50);
        var detections = new List<CocoAnnotation>
        {
            new() { ImageId = 1, CategoryId = 2, Score = 0.123456789012345, Bbox = [1.5, 2.25, 3, 4], Segmentation = CocoSegmentation.FromRle(mask) },
            new() { ImageId = 2, CategoryId = 1, Score = 0.5, Bbox = [0, 0, 1e-3, 7], Segmentation = CocoSegmentation.FromRle(mask) },
        };
        var path = Path.Combine(TestPaths.NewTempDir(), "out", "results.json");
        CocoResultsWriter.Write(path, detections);
        var loaded = CocoResults.Load(path, gt);
        Assert.Equal(2, loaded.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(detections[i].ImageId, loaded[i].ImageId);
            Assert.Equal(detections[i].CategoryId, loaded[i].CategoryId);
            Assert.Equal(detections[i].Score, loaded[i].Score);
            Assert.Equal(detections[i].Bbox, loaded[i].Bbox);
            Assert.Equal(mask.Counts, loaded[i].Segmentation!.Rle!.Counts);
            Assert.Equal(i + 1, loaded[i].Id);
            Assert.Equal(detections[i].Bbox![2] * detections[i].Bbox![3], loaded[i].Area); // box results: area = w*h
        }

        // Masks only: loadRes takes the area and the box from the mask.
        CocoResultsWriter.Write(path, detections, includeBoxes: false);
        var masksOnly = CocoResults.Load(path, gt);
        Assert.Equal(mask.Area, masksOnly[0].Area);
        Assert.Equal(RleCodec.ToBox(mask), masksOnly[0].Bbox);
    }

    [Fact]
    public void NonFiniteScoresAreNotWritten()
    {
        var detections = new[] { new CocoAnnotation { ImageId = 1, CategoryId = 1, Score = double.NaN, Bbox = [0, 0, 1, 1] } };
        Assert.Throws<ArgumentException>(() => CocoResultsWriter.Write(new StringWriter(), detections));
    }
}
