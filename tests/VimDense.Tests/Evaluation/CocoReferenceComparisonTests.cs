using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

/// <summary>The optimised evaluator against the literal transliteration on random problems full of edge cases.</summary>
public class CocoReferenceComparisonTests
{
    [Theory]
    [InlineData(1, CocoIouType.Bbox)]
    [InlineData(2, CocoIouType.Bbox)]
    [InlineData(3, CocoIouType.Bbox)]
    [InlineData(4, CocoIouType.Segm)]
    public void RandomProblemsMatchTheReference(int seed, CocoIouType iouType)
    {
        var random = new Random(seed);
        const int size = 160;
        var images = Enumerable.Range(0, 8).Select(i => new CocoImage(i * 3 + 5, size, size - 10 * (i % 3), $"{i}.jpg")).ToList();
        var categories = new List<CocoCategory> { new(1, "a"), new(4, "b"), new(9, "no-gt"), new(2, "c") };
        var gts = new List<CocoAnnotation>();
        var dts = new List<CocoAnnotation>();
        foreach (var image in images)
        {
            var mine = new List<double[]>();
            for (var n = random.Next(0, 6); n > 0; n--)
            {
                var box = Box(random, image);
                mine.Add(box);
                var crowd = random.NextDouble() < 0.15;
                gts.Add(new CocoAnnotation
                {
                    Id = gts.Count + 1, ImageId = image.Id, CategoryId = new long[] { 1, 4, 2 }[random.Next(3)], Bbox = box, IsCrowd = crowd,
                    // Areas on the range bounds now and then.
                    Area = random.Next(4) switch { 0 => 1024, 1 => 9216, _ => box[2] * box[3] },
                    Segmentation = CocoSegmentation.FromPolygons([Polygon(box)]),
                });
            }
            var count = image.Id == 8 ? 130 : random.Next(0, 25); // one image with more than 100 detections
            for (var n = 0; n < count; n++)
            {
                var box = mine.Count > 0 && random.NextDouble() < 0.6 ? Jitter(random, mine[random.Next(mine.Count)], image) : Box(random, image);
                dts.Add(new CocoAnnotation
                {
                    ImageId = image.Id, CategoryId = new long[] { 1, 4, 9, 2 }[random.Next(4)], Bbox = box,
                    Score = Math.Round(random.NextDouble(), 1), // coarse scores: many ties
                    Segmentation = CocoSegmentation.FromPolygons([Polygon(box)]),
                });
            }
        }
        var groundTruth = new CocoGroundTruth(images, categories, gts);
        var results = CocoResults.Prepare(dts, groundTruth);
        var expected = CocoEvalReference.Stats(groundTruth, results, iouType);
        var actual = CocoEvaluator.Run(groundTruth, results, iouType).Stats;
        for (var i = 0; i < 12; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"stats[{i}]: reference {expected[i]:R}, evaluator {actual[i]:R}");
        Assert.Contains(actual, s => s > 0);
    }

    private static double[] Box(Random random, CocoImage image)
    {
        var side = random.Next(3) switch { 0 => 32.0, 1 => 96.0, _ => 4 + random.NextDouble() * 100 };
        var w = Math.Min(side, image.Width - 1);
        var h = Math.Min(random.Next(2) == 0 ? side : 4 + random.NextDouble() * 100, image.Height - 1);
        return [Math.Round(random.NextDouble() * (image.Width - w), 1), Math.Round(random.NextDouble() * (image.Height - h), 1), w, h];
    }

    private static double[] Jitter(Random random, double[] b, CocoImage image)
    {
        double J(double s) => (random.NextDouble() - 0.5) * 0.3 * s;
        var x = Math.Clamp(b[0] + J(b[2]), 0, image.Width - 2);
        var y = Math.Clamp(b[1] + J(b[3]), 0, image.Height - 2);
        return [x, y, Math.Min(b[2] + J(b[2]), image.Width - x), Math.Min(b[3] + J(b[3]), image.Height - y)];
    }

    private static double[] Polygon(double[] b) => [b[0], b[1] + b[3] / 2, b[0] + b[2] / 2, b[1], b[0] + b[2], b[1] + b[3], b[0] + b[2] / 3, b[1] + b[3]];
}
