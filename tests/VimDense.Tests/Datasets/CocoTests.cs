using VimDense.Datasets;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Masks;

namespace VimDense.Tests.Datasets;

public class CocoTests(SyntheticDataFixture data) : IClassFixture<SyntheticDataFixture>
{
    [Fact]
    public void ReadsTheFixtureGroundTruthWithRleAndPolygons()
    {
        // The shared pycocotools fixture: polygons, uncompressed-RLE crowds, empty images, non-contiguous ids.
        var path = TestPaths.Fixture("coco", "gt_100.json");
        var file = CocoAnnotationFile.Load(path);
        var json = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(path));
        Assert.Equal(((Newtonsoft.Json.Linq.JArray)json["images"]!).Count, file.Images.Count);
        Assert.Equal(((Newtonsoft.Json.Linq.JArray)json["categories"]!).Count, file.Categories.Count);
        Assert.Equal(((Newtonsoft.Json.Linq.JArray)json["annotations"]!).Count, file.Annotations.Count + file.DroppedWithoutValidPolygon);
        Assert.Contains(file.Annotations, a => a.IsCrowd && a.Segmentation?.Rle is not null);
        // Contiguous indices follow sorted category ids.
        for (var i = 0; i < file.Categories.Count; i++)
        {
            Assert.Equal(i, file.IndexOfCategory(file.CategoryIdOfIndex(i)));
            if (i > 0) Assert.True(file.Categories[i].Id > file.Categories[i - 1].Id);
        }
        // The masks agree with pycocotools' annToRLE in the fixture.
        var expected = Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(TestPaths.Fixture("coco", "gt_100_rle.json")));
        foreach (var a in file.Annotations.Take(40))
        {
            var image = file.Images.First(im => im.Id == a.ImageId);
            var rle = a.Segmentation!.ToRle(image.Height, image.Width);
            Assert.Equal((string)expected[a.Id.ToString()]!["counts"]!, RleCodec.ToCompressedString(rle));
        }
    }

    [Fact]
    public void TrainingDropsEmptyImagesAndCrowdsEvaluationKeepsThem()
    {
        var train = DataSetup.Coco(data.CocoRoot, "train2017", train: true, imageSize: 64);
        var eval = DataSetup.Coco(data.CocoRoot, "train2017", train: false, imageSize: 64);
        Assert.Equal(eval.Count, train.Count + train.DroppedEmptyImages);
        Assert.True(train.DroppedEmptyImages > 0);
        Assert.Contains(eval.Annotations.Annotations, a => a.IsCrowd);
        for (var i = 0; i < train.Count; i++)
        {
            var (image, instances) = train.LoadRaw(i);
            image.Dispose();
            Assert.NotEmpty(instances);
            Assert.DoesNotContain(instances, x => x.IsCrowd);
        }
        Assert.Contains(Enumerable.Range(0, eval.Count), i =>
        {
            var (image, instances) = eval.LoadRaw(i);
            image.Dispose();
            return instances.Any(x => x.IsCrowd);
        });
    }
}
