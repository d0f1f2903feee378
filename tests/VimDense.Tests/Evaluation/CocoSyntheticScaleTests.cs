using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

/// <summary>The evaluator against the literal reference on a larger synthetic problem from the benchmark generator.</summary>
public class CocoSyntheticScaleTests
{
    [SlowFact]
    public void SyntheticBenchmarkMatchesTheReference()
    {
        var dir = TestPaths.NewTempDir();
        var (gtPath, dtPath) = SyntheticCocoBenchmark.Write(dir, images: 1000, detsPerImage: 120, categories: 80, seed: 3);
        var gt = CocoGroundTruth.Load(gtPath);
        var results = CocoResults.Load(dtPath, gt);
        var expected = CocoEvalReference.Stats(gt, results, CocoIouType.Bbox);
        var actual = CocoEvaluator.Run(gt, results, CocoIouType.Bbox).Stats;
        for (var i = 0; i < 12; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"stats[{i}]: reference {expected[i]:R}, evaluator {actual[i]:R}");
    }
}
