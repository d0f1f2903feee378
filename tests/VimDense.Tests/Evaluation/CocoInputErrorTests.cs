using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

/// <summary>Bad results files fail with an error naming the file and the field.</summary>
public class CocoInputErrorTests
{
    private static readonly CocoGroundTruth Gt = new CocoTestData(images: 1, categories: 1).Gt(1, 0, 0, 10, 10).GroundTruth;

    [Theory]
    [InlineData("""[{"image_id": 99, "category_id": 1, "bbox": [0,0,1,1], "score": 0.5}]""", "'image_id' 99")]
    [InlineData("""[{"image_id": 1, "category_id": 7, "bbox": [0,0,1,1], "score": 0.5}]""", "'category_id' 7")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "bbox": [0,0,1,1], "score": NaN}]""", "'score'")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "bbox": [0,0,1], "score": 0.5}]""", "'bbox'")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "score": 0.5, "segmentation": {"size": [1000, 1000], "counts": "!!"}}]""", "'segmentation.counts'")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "score": 0.5, "segmentation": {"size": [1000, 1000], "counts": "0"}}]""", "'segmentation.counts'")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "score": 0.5, "segmentation": {"size": [5, 5], "counts": "0i0"}}]""", "'segmentation.size'")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "bbox": [0,0,1,1], "score": 0.5}, {"image_id": 1, "category_id": 1, "score": 0.5}]""", "missing field 'bbox'")]
    [InlineData("""{"image_id": 1}""", "must be a list")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "bbox": [0,0,1,1], "score": 0.5}""", "unexpected end")]
    public void BadResultsNameFileAndField(string json, string expected)
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "bad_results.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => CocoResults.Load(path, Gt));
        Assert.Contains("bad_results.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void GroundTruthWithoutAreaIsRejected()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "gt.json");
        File.WriteAllText(path, """{"images": [{"id": 1, "height": 10, "width": 10}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0,0,2,2]}]}""");
        var error = Assert.Throws<InvalidDataException>(() => CocoGroundTruth.Load(path));
        Assert.Contains("annotations[0]", error.Message);
        Assert.Contains("'area'", error.Message);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        Assert.Throws<FileNotFoundException>(() => CocoGroundTruth.Load("/nonexistent/instances.json"));
    }
}
