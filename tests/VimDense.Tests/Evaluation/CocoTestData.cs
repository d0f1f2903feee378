using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

/// <summary>Builds small in-memory COCO problems for hand-checked evaluation cases.</summary>
internal sealed class CocoTestData
{
    private readonly List<CocoImage> _images = [];
    private readonly List<CocoCategory> _categories = [];
    private readonly List<CocoAnnotation> _gts = [];
    private readonly List<CocoAnnotation> _dts = [];

    public CocoTestData(int images = 1, int categories = 1, int size = 1000)
    {
        for (var i = 1; i <= images; i++) _images.Add(new CocoImage(i, size, size, $"{i}.jpg"));
        for (var k = 1; k <= categories; k++) _categories.Add(new CocoCategory(k, $"c{k}"));
    }

    /// <summary>A ground-truth box; its "area" is w·h unless given.</summary>
    public CocoTestData Gt(long image, double x, double y, double w, double h, long category = 1, bool crowd = false, double? area = null)
    {
        _gts.Add(new CocoAnnotation
        {
            Id = _gts.Count + 1, ImageId = image, CategoryId = category, Bbox = [x, y, w, h],
            Area = area ?? w * h, IsCrowd = crowd,
        });
        return this;
    }

    public CocoTestData Dt(long image, double x, double y, double w, double h, double score, long category = 1)
    {
        _dts.Add(new CocoAnnotation { ImageId = image, CategoryId = category, Bbox = [x, y, w, h], Score = score });
        return this;
    }

    public CocoGroundTruth GroundTruth => new(_images, _categories, _gts, "test-gt");

    public CocoEvalResult Evaluate()
    {
        var gt = GroundTruth;
        return CocoEvaluator.Run(gt, CocoResults.Prepare([.. _dts], gt, "test-results"), CocoIouType.Bbox);
    }
}
