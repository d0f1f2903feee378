using Newtonsoft.Json.Linq;

namespace VimDense.Tests.Cli;

/// <summary>`vimdense complexity`: sizes, trailing overrides after --size, JSON rows, usage errors.</summary>
public class ComplexityCommandTests
{
    private static readonly string Demo = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");

    private static JObject Json(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(["complexity", Demo, "--json", .. args]);
        Assert.True(code == 0, stderr);
        return JObject.Parse(stdout);
    }

    [Fact]
    public void HeightAndWidthAndTrailingOverridesAfterASingleSize()
    {
        var wide = Json("--size", "64", "96", "--depth", "1");
        Assert.Equal("1x3x64x96", (string)wide["input"]!);
        var rows = ((JArray)wide["modules"]!).ToDictionary(r => (string)r["name"]!, r => r);
        Assert.Equal((long)wide["parameters"]!, rows[""]["parameters"]!.Value<long>());
        Assert.Equal((double)wide["flops"]!, new[] { "backbone", "neck", "decode_head" }.Sum(n => (double)rows[n]["flops"]!), 3);
        Assert.Equal(0, (double)rows["auxiliary_head"]["flops"]!);
        Assert.Contains("auxiliary_head", wide["idle"]!.Values<string>());

        // `--size H` then KEY=VALUE: the override is not taken for the width.
        var narrower = Json("--size", "64", "model.decode_head.channels=32", "--depth", "1");
        Assert.Equal("1x3x64x64", (string)narrower["input"]!);
        var narrowerRows = ((JArray)narrower["modules"]!).ToDictionary(r => (string)r["name"]!, r => r);
        Assert.True((long)narrowerRows["decode_head"]["parameters"]! < (long)rows["decode_head"]["parameters"]!);
        Assert.Equal((long)rows["backbone"]["parameters"]!, (long)narrowerRows["backbone"]["parameters"]!);
    }

    [Theory]
    [InlineData("8")]
    [InlineData("wide")]
    public void ABadSizeIsAUsageErrorOfOneLine(string size)
    {
        var (code, _, stderr) = CliRunner.Run("complexity", Demo, "--size", size);
        Assert.Equal(2, code);
        Assert.Contains("--size", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
