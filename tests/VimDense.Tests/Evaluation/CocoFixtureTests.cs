using Newtonsoft.Json.Linq;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

/// <summary>The 12 COCOeval stats on the fixture agree with the official pycocotools.</summary>
public class CocoFixtureTests
{
    [Theory]
    [InlineData("bbox", CocoIouType.Bbox)]
    [InlineData("segm", CocoIouType.Segm)]
    public void StatsMatchPycocotools(string name, CocoIouType iouType)
    {
        var gt = CocoGroundTruth.Load(TestPaths.Fixture("coco", "gt_100.json"));
        var results = CocoResults.Load(TestPaths.Fixture("coco", $"dt_100_{name}.json"), gt);
        var expected = JArray.Parse(File.ReadAllText(TestPaths.Fixture("coco", $"stats_100_{name}.json"))).ToObject<double[]>()!;
        var result = CocoEvaluator.Run(gt, results, iouType);
        Assert.Equal(12, result.Stats.Count);
        for (var i = 0; i < 12; i++)
            Assert.True(Math.Abs(expected[i] - result.Stats[i]) <= 1e-9, $"stats[{i}]: expected {expected[i]:R}, got {result.Stats[i]:R}");
        Assert.StartsWith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ", result.SummaryLines[0]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = " + expected[11].ToString("0.000"), result.SummaryLines[11]);
    }

    /// <summary>What the detection experiment relies on: scoring in memory equals writing the results file and reading it back.</summary>
    [Theory]
    [InlineData("bbox", CocoIouType.Bbox)]
    [InlineData("segm", CocoIouType.Segm)]
    public void InMemoryDetectionsScoreAsTheirResultsFile(string name, CocoIouType iouType)
    {
        var gt = CocoGroundTruth.Load(TestPaths.Fixture("coco", "gt_100.json"));
        var detections = CocoJsonReader.ReadResults(TestPaths.Fixture("coco", $"dt_100_{name}.json"));
        var path = Path.Combine(TestPaths.NewTempDir(), $"results_{name}.json");
        // As the experiment writes them: boxes only for bbox, masks only for segm (areas from the masks).
        CocoResultsWriter.Write(path, detections, includeBoxes: iouType == CocoIouType.Bbox, includeMasks: iouType == CocoIouType.Segm);
        var fromFile = CocoEvaluator.Run(gt, CocoResults.Load(path, gt), iouType).Stats;
        var inMemory = CocoEvaluator.Run(gt, CocoResults.FromDetections(detections, gt, iouType), iouType).Stats;
        Assert.Equal(fromFile, inMemory);
        Assert.Contains(inMemory, s => s > 0);
        Assert.All(detections, d => Assert.Equal(0, d.Id)); // the detections themselves are left as they were
    }
}
