using static TorchSharp.torch;
using VimDense.Ops;

namespace VimDense.Tests.Ops;

/// <summary>Bad inputs fail with an ArgumentException that names the argument, before any native call.</summary>
public class ScanValidationTests
{
    private static readonly ScanTestInputs Good = ScanTestInputs.Random(2, 4, 5, 3, 2, true, true, true, true, seed: 1);

    public static TheoryData<string> BadScanArguments() => ["u", "delta", "A", "B", "C", "D", "z", "deltaBias"];

    [Theory]
    [MemberData(nameof(BadScanArguments))]
    public void SelectiveScanNamesTheBadArgument(string name)
    {
        var x = Good;
        var bad = name switch
        {
            "u" => x with { U = x.U.unsqueeze(0) },
            "delta" => x with { Delta = x.Delta[.., .., ..4] },
            "A" => x with { A = zeros(4, 300) },
            "B" => x with { B = x.B.repeat(1, 1, 1, 2) },
            "C" => x with { C = x.C.to(ScalarType.Float64) },
            "D" => x with { D = zeros(5) },
            "z" => x with { Z = x.Z!.to(ScalarType.Int32) },
            _ => x with { DeltaBias = zeros(4, 1) },
        };
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            SelectiveScan.Apply(bad.U, bad.Delta, bad.A, bad.B, bad.C, bad.D, bad.Z, bad.DeltaBias, true));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void SelectiveScanRejectsGroupsThatDoNotDivideDim()
    {
        var x = ScanTestInputs.Random(1, 4, 5, 3, 3, false, false, false, true, seed: 2);
        var e = Assert.ThrowsAny<ArgumentException>(() => SelectiveScan.Apply(x.U, x.Delta, x.A, x.B, x.C));
        Assert.Equal("B", e.ParamName);
    }

    [Fact]
    public void SelectiveScanRejectsIntegerInputs()
    {
        var x = Good.To(ScalarType.Int32);
        var e = Assert.ThrowsAny<ArgumentException>(() => SelectiveScan.Apply(x.U, x.Delta, x.A, x.B, x.C));
        Assert.Equal("u", e.ParamName);
    }

    [Fact]
    public void NonContiguousInputsAreAccepted()
    {
        var x = Good;
        var u = x.U.transpose(1, 2).contiguous().transpose(1, 2);  // same values, other strides
        Assert.False(u.is_contiguous());
        var expected = SelectiveScan.Apply(x.U, x.Delta, x.A, x.B, x.C, x.D, x.Z, x.DeltaBias, true);
        var actual = SelectiveScan.Apply(u, x.Delta, x.A, x.B, x.C, x.D, x.Z, x.DeltaBias, true);
        ScanAssert.Close(expected, actual, 0, 0, "non-contiguous u");
    }

    [Theory]
    [InlineData("x")]
    [InlineData("weight")]
    [InlineData("bias")]
    public void CausalConv1dNamesTheBadArgument(string name)
    {
        var (x, w, b) = (zeros(2, 4, 9), zeros(4, 4), zeros(4));
        if (name == "x") x = zeros(2, 4);
        if (name == "weight") w = zeros(4, 5);
        if (name == "bias") b = zeros(3);
        var e = Assert.ThrowsAny<ArgumentException>(() => CausalConv1d.Apply(x, w, b));
        Assert.Equal(name, e.ParamName);
    }
}
