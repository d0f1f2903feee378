using static TorchSharp.torch;
using VimDense.Ops;

namespace VimDense.Tests.Ops;

/// <summary>The native ops against mamba's selective_scan_ref / causal conv reference outputs (fixtures/scan).</summary>
public class ScanFixtureTests
{
    private const double Rtol = 6e-4, Atol = 2e-3;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(TestPaths.Fixture("scan")).OrderBy(d => d)) data.Add(Path.GetFileName(dir));
        return data;
    }

    private static Tensor Load(string caseName, string name) => TestNpy.Load(TestPaths.Fixture("scan", caseName, name + ".npy"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void SelectiveScanMatchesReferenceOutputAndGradients(string caseName)
    {
        var names = new[] { "u", "delta", "A", "B", "C", "D", "z", "delta_bias" };
        var inputs = names.Select(n => Load(caseName, n).requires_grad_(true)).ToArray();
        var output = SelectiveScan.Apply(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5], inputs[6], inputs[7],
                                         deltaSoftplus: true);
        ScanAssert.Close(Load(caseName, "out"), output, Rtol, Atol, "out");
        output.backward([Load(caseName, "dout")]);
        var gradNames = new[] { "du", "ddelta", "dA", "dB", "dC", "dD", "dz", "ddelta_bias" };
        for (var i = 0; i < names.Length; i++)
            ScanAssert.Close(Load(caseName, gradNames[i]), inputs[i].grad!, Rtol, Atol, gradNames[i]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CausalConv1dMatchesReferenceOutputAndGradients(string caseName)
    {
        var x = Load(caseName, "conv_x").requires_grad_(true);
        var weight = Load(caseName, "conv_weight").requires_grad_(true);
        var bias = Load(caseName, "conv_bias").requires_grad_(true);
        var output = CausalConv1d.Apply(x, weight, bias, silu: true);
        ScanAssert.Close(Load(caseName, "conv_out"), output, Rtol, Atol, "conv_out");
        output.backward([Load(caseName, "conv_dout")]);
        ScanAssert.Close(Load(caseName, "conv_dx"), x.grad!, Rtol, Atol, "conv_dx");
        ScanAssert.Close(Load(caseName, "conv_dweight"), weight.grad!, Rtol, Atol, "conv_dweight");
        ScanAssert.Close(Load(caseName, "conv_dbias"), bias.grad!, Rtol, Atol, "conv_dbias");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReferencesMatchFixtureOutputs(string caseName)
    {
        var names = new[] { "u", "delta", "A", "B", "C", "D", "z", "delta_bias" };
        var t = names.Select(n => Load(caseName, n)).ToArray();
        var output = SelectiveScanReference.Apply(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], deltaSoftplus: true);
        ScanAssert.Close(Load(caseName, "out"), output, Rtol, Atol, "reference out");
        var conv = CausalConv1dReference.Apply(Load(caseName, "conv_x"), Load(caseName, "conv_weight"), Load(caseName, "conv_bias"));
        ScanAssert.Close(Load(caseName, "conv_out"), conv, Rtol, Atol, "reference conv_out");
    }
}
