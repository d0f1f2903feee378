using VimDense.Config;
using static VimDense.Tests.Engine.ConfigTests;

namespace VimDense.Tests.Config;

/// <summary>"did you mean": the edit distance against an obviously-right recursive definition, and the hints config errors carry.</summary>
public class DidYouMeanTests
{
    [Fact]
    public void TheDistanceMatchesTheRecursiveDefinition()
    {
        var rng = new Random(15);
        for (var trial = 0; trial < 400; trial++)
        {
            var a = RandomWord(rng);
            var b = rng.Next(3) == 0 ? Mutate(a, rng) : RandomWord(rng);
            Assert.True(Reference(a, b) == DidYouMean.Distance(a, b), $"distance('{a}', '{b}')");
        }
    }

    [Theory]
    [InlineData("chanels", "channels")]   // a letter left out
    [InlineData("trian", "train")]        // two letters swapped
    [InlineData("Channels", "channels")]  // case
    [InlineData("iteration", "iterations")]
    public void ATypoFindsTheAcceptedName(string typed, string expected) =>
        Assert.Equal(expected, DidYouMean.Closest(typed, ["norm", "channels", "train", "iterations", "pool_scales"]));

    [Theory]
    [InlineData("lr_typo")]  // "lr" is five edits away: another word, not a typo
    [InlineData("xyz")]
    public void AFarNameFindsNothing(string typed) =>
        Assert.Null(DidYouMean.Closest(typed, ["lr", "weight_decay", "betas"]));

    [Fact]
    public void AnUnknownNestedKeyListsItsRecordsKeysAndTheClosestOne()
    {
        var path = Write(TestPaths.NewTempDir(), "c.json", """{ "schedule": { "iteration": 10 } }""");
        var error = Assert.Throws<UserInputException>(() => ConfigLoader.Load(path));
        Assert.Contains("unknown key 'schedule.iteration'", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Contains("expected one of", error.Message);
        Assert.EndsWith("did you mean 'iterations'?", error.Message);
    }

    [Fact]
    public void AnUnknownKeyFarFromEveryAcceptedOneHasNoHint()
    {
        var path = Write(TestPaths.NewTempDir(), "c.json", """{ "optimizer": { "lr_typo": 1 } }""");
        var error = Assert.Throws<UserInputException>(() => ConfigLoader.Load(path));
        Assert.Contains("unknown key 'optimizer.lr_typo'", error.Message);
        Assert.DoesNotContain("did you mean", error.Message);
    }

    [Fact]
    public void AMistypedComponentTypeFindsTheRegisteredOne()
    {
        var path = Write(TestPaths.NewTempDir(), "c.json", """{ "model": { "decode_head": { "type": "upernett" } } }""");
        var error = Assert.Throws<UserInputException>(() => VimDense.Heads.Segmentation.SegmentorBuilder.Validate(ConfigLoader.Load(path).Model));
        Assert.Contains("model.decode_head.type 'upernett'", error.Message);
        Assert.EndsWith("did you mean 'upernet'?", error.Message);
    }

    private static string RandomWord(Random rng) => new([.. Enumerable.Range(0, rng.Next(6)).Select(_ => "abc_"[rng.Next(4)])]);

    private static string Mutate(string word, Random rng)
    {
        if (word.Length < 2) return word + "a";
        var chars = word.ToCharArray();
        var i = rng.Next(chars.Length - 1);
        (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
        return new string(chars);
    }

    /// <summary>Optimal string alignment distance straight from its definition (exponential; fine for short words).</summary>
    private static int Reference(string a, string b)
    {
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        var best = Math.Min(Reference(a[1..], b) + 1, Reference(a, b[1..]) + 1);
        best = Math.Min(best, Reference(a[1..], b[1..]) + (a[0] == b[0] ? 0 : 1));
        if (a.Length > 1 && b.Length > 1 && a[0] == b[1] && a[1] == b[0]) best = Math.Min(best, Reference(a[2..], b[2..]) + 1);
        return best;
    }
}
