namespace VimDense.Tests.Evaluation;

/// <summary>Hand-computed COCO evaluation cases for the rules that are easy to get wrong.</summary>
public class CocoEdgeCaseTests
{
    /// <summary>pycocotools' precision is tp/(tp+fp+eps), so a perfect AP is 1 - 2.2e-16: compare to 12 digits.</summary>
    private static void Near(double expected, double actual) => Assert.Equal(expected, actual, 12);

    private const int AP = 0, AP50 = 1, AP75 = 2, APs = 3, APm = 4, APl = 5, AR1 = 6, AR10 = 7, AR100 = 8;

    [Fact]
    public void CategoryWithoutGroundTruthIsLeftOutOfTheMeans()
    {
        var result = new CocoTestData(categories: 2)
            .Gt(1, 0, 0, 10, 10)
            .Dt(1, 0, 0, 10, 10, 0.9)
            .Dt(1, 0, 0, 10, 10, 0.8, category: 2) // a false positive of a category with no gt at all
            .Evaluate();
        Near(1.0, result.Stats[AP]);
        Near(1.0, result.Stats[APs]);
        Near(-1.0, result.Stats[APm]); // no medium gt in any category
        Near(1.0, result.Stats[AR100]);
        Near(1.0, result.PerCategoryAp[0]);
        Assert.True(double.IsNaN(result.PerCategoryAp[1]));
    }

    [Fact]
    public void ImageWithoutDetectionsHalvesRecall()
    {
        var result = new CocoTestData(images: 2)
            .Gt(1, 0, 0, 10, 10).Gt(2, 0, 0, 10, 10)
            .Dt(1, 0, 0, 10, 10, 0.9)
            .Evaluate();
        // rc = [0.5], pr = [1]: recall thresholds 0.00..0.50 (51 of 101) read precision 1, the rest 0.
        Near(51.0 / 101.0, result.Stats[AP]);
        Near(0.5, result.Stats[AR100]);
    }

    [Fact]
    public void AreaRangeBoundsAreInclusive()
    {
        // gt area 32² belongs to small AND medium; the unmatched 96x96 false positive (area 96²) is in medium and large.
        var result = new CocoTestData()
            .Gt(1, 0, 0, 32, 32)
            .Dt(1, 0, 0, 32, 32, 0.9)
            .Dt(1, 500, 500, 96, 96, 0.95)
            .Evaluate();
        Near(0.5, result.Stats[AP]);   // FP first: rc [0,1], pr [0,.5] -> .5 everywhere
        Near(1.0, result.Stats[APs]);  // the big FP is ignored outside its area range
        Near(0.5, result.Stats[APm]);  // both the gt and the FP are medium
        Near(-1.0, result.Stats[APl]); // the gt is not large: no ground truth there
    }

    [Fact]
    public void CrowdRegionsAbsorbDetectionsWithoutCountingThem()
    {
        var result = new CocoTestData(images: 2)
            .Gt(1, 0, 0, 100, 100, crowd: true)
            .Dt(1, 10, 10, 20, 20, 0.99).Dt(1, 50, 50, 20, 20, 0.98) // inside the crowd: IoU = 1 (over dt area), ignored
            .Gt(2, 0, 0, 10, 10)
            .Dt(2, 0, 0, 10, 10, 0.5)
            .Evaluate();
        Near(1.0, result.Stats[AP]);
        Near(1.0, result.Stats[AR1]);

        var crowdOnly = new CocoTestData()
            .Gt(1, 0, 0, 100, 100, crowd: true)
            .Dt(1, 10, 10, 20, 20, 0.99)
            .Evaluate();
        Assert.All(crowdOnly.Stats, s => Assert.Equal(-1.0, s)); // no non-ignored gt anywhere
    }

    [Theory]
    [InlineData(false, 0.5)] // the FP's image comes first in id order, so the tie puts it first
    [InlineData(true, 1.0)]
    public void ScoreTiesAcrossImagesKeepImageOrder(bool falsePositiveInLaterImage, double expectedAp)
    {
        var (fpImage, tpImage) = falsePositiveInLaterImage ? (2, 1) : (1, 2);
        var result = new CocoTestData(images: 2)
            .Gt(tpImage, 0, 0, 10, 10)
            .Dt(fpImage, 0, 0, 10, 10, 0.5)
            .Dt(tpImage, 0, 0, 10, 10, 0.5)
            .Evaluate();
        Near(expectedAp, result.Stats[AP]);
    }

    [Theory]
    [InlineData(false, 0.5)] // the poorly placed detection is first in the file: it is matched (and fails) first
    [InlineData(true, 1.0)]
    public void ScoreTiesWithinAnImageKeepFileOrder(bool exactFirst, double expectedAp)
    {
        var data = new CocoTestData().Gt(1, 0, 0, 10, 10);
        if (exactFirst) data.Dt(1, 0, 0, 10, 10, 0.7).Dt(1, 8, 8, 10, 10, 0.7);
        else data.Dt(1, 8, 8, 10, 10, 0.7).Dt(1, 0, 0, 10, 10, 0.7);
        Near(expectedAp, data.Evaluate().Stats[AP]);
    }

    [Fact]
    public void OnlyTheTop100DetectionsPerImageAndCategoryCount()
    {
        var data = new CocoTestData().Gt(1, 0, 0, 10, 10);
        for (var i = 0; i < 100; i++) data.Dt(1, 500 + i, 500, 10, 10, 0.9);
        data.Dt(1, 0, 0, 10, 10, 0.1); // 101st by score: dropped
        var dropped = data.Evaluate();
        Near(0.0, dropped.Stats[AP]);
        Near(0.0, dropped.Stats[AR100]);

        // 150 false positives and the true positive 6th by score: found within 10 and 100 detections, not within 1.
        var ranked = new CocoTestData().Gt(1, 0, 0, 10, 10);
        for (var i = 0; i < 150; i++) ranked.Dt(1, 500 + i, 500, 10, 10, 0.5 - i * 0.001);
        ranked.Dt(1, 0, 0, 10, 10, 0.4955);
        var r = ranked.Evaluate();
        Near(0.0, r.Stats[AR1]);
        Near(1.0, r.Stats[AR10]);
        Near(1.0, r.Stats[AR100]);
        Near(1.0 / 6.0, r.Stats[AP]); // precision 1/6 at every recall threshold
        Near(1.0 / 6.0, r.Stats[AP50]);
        Near(1.0 / 6.0, r.Stats[AP75]);
    }
}
