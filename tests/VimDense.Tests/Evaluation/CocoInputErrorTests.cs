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
    public void GroundTruthStreamingSkipsUnknownSectionsInAnyOrder()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "gt.json");
        File.WriteAllText(path, """
            {"info": {"year": 2017, "nested": {"a": [1, 2, {"b": 3}]}}, "licenses": [{"id": 1}],
             "annotations": [{"id": 5, "image_id": 1, "category_id": 3, "bbox": [0,0,2,2], "area": 4, "iscrowd": 0,
                              "segmentation": [[0,0,2,0,2,2,0,2]], "extra": {"x": [1]}}],
             "categories": [{"id": 3, "name": "cat", "supercategory": "animal"}],
             "images": [{"id": 1, "height": 10, "width": 12, "file_name": "a.jpg", "license": 1}]}
            """);
        var gt = CocoGroundTruth.Load(path);
        Assert.Single(gt.Annotations);
        Assert.Equal(4, gt.Annotations[0].Area);
        Assert.Equal("cat", gt.CategoriesById[3].Name);
        Assert.Equal((10, 12), (gt.ImagesById[1].Height, gt.ImagesById[1].Width));
        Assert.Equal(4, VimDense.Datasets.Masks.RleCodec.Area(gt.Annotations[0].Segmentation!.ToRle(10, 12)));
    }

    [Fact]
    public void MissingFileIsReported()
    {
        Assert.Throws<FileNotFoundException>(() => CocoGroundTruth.Load("/nonexistent/instances.json"));
    }
}
