using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

/// <summary>The fast stable descending order against the obvious comparison sort (np.argsort(-s, kind='mergesort')).</summary>
public sealed class ScoreOrderTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.0)]
    [InlineData(500, 0.0)]
    [InlineData(500, 0.05)]     // some NaN scores: ordered last, like CompareTo
    public void MatchesAStableComparisonSort(int seed, double nanFraction)
    {
        var random = new Random(seed);
        foreach (var length in new[] { 0, 1, 2, 7, 100, 3000 })
        {
            // Coarse scores (many ties), signed zeros and an occasional NaN.
            var scores = Enumerable.Range(0, length).Select(_ => random.NextDouble() < nanFraction ? double.NaN
                : random.Next(4) == 0 ? (random.Next(2) == 0 ? 0.0 : -0.0) : Math.Round(random.NextDouble(), 1)).ToArray();
            var expected = Enumerable.Range(0, length).ToArray();
            Array.Sort(expected, (x, y) =>
            {
                var c = scores[y].CompareTo(scores[x]);
                return c != 0 ? c : x.CompareTo(y);
            });
            Assert.Equal(expected, ScoreOrder.Descending(scores));
        }
    }
}
