using OpenCvSharp;
using VimDense.Datasets;
using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Synthetic;
using VimDense.Datasets.Transforms;

namespace VimDense.Tests.Datasets;

public class BadInputTests
{
    private static string MakeAde(int images = 4)
    {
        var root = Path.Combine(TestPaths.NewTempDir("vimdense-bad"), "ade");
        SyntheticAde20kWriter.Write(root, new SyntheticOptions { Images = images, Classes = 4, Size = 32, Seed = 1 });
        return root;
    }

    private static Ade20kDataset Open(string root, bool skip = false) =>
        new(root, new SegmentationTestPipeline(new SegmentationPipelineOptions { Scale = (128, 32) }),
            new Ade20kOptions { NumClasses = 4, SkipBadSamples = skip });

    [Fact]
    public void TruncatedJpegNamesTheFile()
    {
        var root = MakeAde();
        var path = Path.Combine(root, "images", "training", "ADE_train_00000002.jpg");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<BadSampleException>(() => Open(root).Get(1, new Random(0)));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void LabelOfTheWrongSizeNamesTheFile()
    {
        var root = MakeAde();
        var path = Path.Combine(root, "annotations", "training", "ADE_train_00000001.png");
        using (var small = new Mat(5, 7, MatType.CV_8UC1, Scalar.All(1))) Cv2.ImWrite(path, small);
        var e = Assert.Throws<BadSampleException>(() => Open(root).Get(0, new Random(0)));
        Assert.Contains(path, e.Message);
        Assert.Contains("7x5", e.Message);
    }

    [Fact]
    public void LabelValueOutOfRangeNamesTheFile()
    {
        var root = MakeAde();
        var path = Path.Combine(root, "annotations", "training", "ADE_train_00000003.png");
        using (var label = Cv2.ImRead(path, ImreadModes.Unchanged))
        {
            label.Set(0, 0, (byte)9);
            Cv2.ImWrite(path, label);
        }
        var e = Assert.Throws<BadSampleException>(() => Open(root).Get(2, new Random(0)));
        Assert.Contains(path, e.Message);
        Assert.Contains("label value 9", e.Message);
    }

    [Fact]
    public void MissingAnnotationFailsOrIsSkippedAndCounted()
    {
        var root = MakeAde();
        var path = Path.Combine(root, "annotations", "training", "ADE_train_00000004.png");
        File.Delete(path);
        var e = Assert.Throws<BadSampleException>(() => Open(root));
        Assert.Contains(path, e.Message);
        var dataset = Open(root, skip: true);
        Assert.Equal(3, dataset.Count);
        Assert.Equal(1, dataset.MissingPairs);
    }

    [Fact]
    public void LoaderSkipsAndCountsBadSamplesPerEpoch()
    {
        var root = MakeAde(images: 6);
        var path = Path.Combine(root, "images", "training", "ADE_train_00000002.jpg");
        File.WriteAllBytes(path, [0xFF, 0xD8, 0xFF, 0x00, 0x01]);
        var logs = new List<string>();
        var options = new DataLoaderOptions { BatchSize = 3, Workers = 2, Seed = 1, SkipBadSamples = true };
        using (var loader = new DataLoader<SegmentationSample, SegmentationBatch>(Open(root), new SegmentationCollator().Collate, options,
                   log: m => { lock (logs) logs.Add(m); }))
        {
            var sizes = Enumerable.Range(0, 3).Select(_ => { using var b = loader.Next()!; return b.Count; }).ToList();
            Assert.Equal(5, sizes[0] + sizes[1]);                  // epoch 0: six samples, one bad
            Assert.Equal(1, loader.SkippedPerEpoch[0]);
        }
        Assert.Contains(logs, m => m.Contains("epoch 0 finished, 1 bad sample(s) skipped"));
        Assert.Contains(logs, m => m.Contains(path));
        var strict = new DataLoader<SegmentationSample, SegmentationBatch>(Open(root), new SegmentationCollator().Collate, options with { SkipBadSamples = false });
        using (strict)
        {
            var e = Assert.ThrowsAny<FormatException>(() => { for (var i = 0; i < 2; i++) strict.Next()!.Dispose(); });
            Assert.Contains(path, e.Message);
        }
    }

    private static string WriteCoco(string annotationJson)
    {
        var path = Path.Combine(TestPaths.NewTempDir("vimdense-bad"), "instances.json");
        File.WriteAllText(path, $$"""
            {"images": [{"id": 1, "file_name": "a.jpg", "height": 10, "width": 10}],
             "annotations": [{{annotationJson}}],
             "categories": [{"id": 5, "name": "thing"}]}
            """);
        return path;
    }

    [Fact]
    public void CocoMissingFieldNamesFileAndField()
    {
        var path = WriteCoco("""{"id": 7, "image_id": 1, "category_id": 5, "area": 4, "iscrowd": 0, "segmentation": [[0,0,2,0,2,2]]}""");
        var e = Assert.Throws<InvalidDataException>(() => CocoAnnotationFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'bbox'", e.Message);
        Assert.Contains("id 7", e.Message);
    }

    [Fact]
    public void CocoOddPolygonNamesTheFile()
    {
        var path = WriteCoco("""{"id": 8, "image_id": 1, "category_id": 5, "bbox": [0,0,2,2], "area": 4, "iscrowd": 0, "segmentation": [[0,0,2,0,2,2,1]]}""");
        var e = Assert.Throws<InvalidDataException>(() => CocoAnnotationFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("odd number of coordinates", e.Message);
    }

    [Fact]
    public void CocoShortPolygonsAreDroppedLikeDetectron2()
    {
        var path = WriteCoco("""{"id": 9, "image_id": 1, "category_id": 5, "bbox": [0,0,2,2], "area": 4, "segmentation": [[0,0,2,0]]}""");
        var file = CocoAnnotationFile.Load(path);
        Assert.Empty(file.Annotations);
        Assert.Equal(1, file.DroppedWithoutValidPolygon);
    }

    [Fact]
    public void CocoUnknownCategoryAndMalformedJson()
    {
        var path = WriteCoco("""{"id": 10, "image_id": 1, "category_id": 6, "bbox": [0,0,2,2]}""");
        Assert.Contains("category_id 6", Assert.Throws<InvalidDataException>(() => CocoAnnotationFile.Load(path)).Message);
        File.WriteAllText(path, """{"images": [{"id": 1,""");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => CocoAnnotationFile.Load(path)).Message);
    }

    [Fact]
    public void CliReportsBadDataAsOneLine()
    {
        var root = MakeAde();
        var path = Path.Combine(root, "images", "training", "ADE_train_00000001.jpg");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        var (code, _, stderr) = CliRunner.Run("show", "ade20k", root, "--index", "0", "--output", Path.Combine(root, "x.png"));
        Assert.Equal(1, code);
        Assert.StartsWith("vimdense: ", stderr);
        Assert.Contains(path, stderr);
    }
}
