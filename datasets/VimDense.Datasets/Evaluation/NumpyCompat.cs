using System.Globalization;
using System.Numerics;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// The few NumPy/Python numerics that decide the last bits of COCO metrics: <c>np.linspace</c>'s exact
/// values, <c>np.mean</c>'s pairwise summation and Python's round-half-even <c>'{:0.3f}'</c> formatting.
/// </summary>
internal static class NumpyCompat
{
    /// <summary>np.spacing(1.0): the distance from 1.0 to the next double.</summary>
    public const double SpacingOfOne = 2.220446049250313e-16;

    /// <summary><c>np.linspace(start, stop, num)</c> (endpoint=True): y = i·((stop−start)/(num−1)) + start, last = stop.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var values = new double[num];
        if (num == 1) { values[0] = start; return values; }
        var step = (stop - start) / (num - 1);
        for (var i = 0; i < num; i++) values[i] = i * step + start;
        values[num - 1] = stop;
        return values;
    }

    /// <summary><c>np.mean</c> of a 1-D float64 array: NumPy's pairwise sum (blocks of 8, 128-element leaves) divided by n.</summary>
    public static double Mean(ReadOnlySpan<double> values) => PairwiseSum(values) / values.Length;

    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var res = 0.0; // np.add.reduce starts from the identity 0 (so -0.0 sums print as 0.0, as NumPy)
            for (var i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= 128)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            var i = 8;
            for (; i < n - n % 8; i += 8)
            {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
            }
            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[i];
            return res;
        }
        var n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }

    /// <summary>Python's <c>format(value, '0.{digits}f')</c>: the exact binary value rounded half-to-even.</summary>
    public static string FormatFixed(double value, int digits)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        var negative = value < 0 || (value == 0 && double.IsNegative(value));
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075; // value = mantissa * 2^exponent
        var scale = BigInteger.Pow(10, digits);
        BigInteger scaled;
        if (exponent >= 0) scaled = new BigInteger(mantissa) * BigInteger.Pow(2, exponent) * scale;
        else
        {
            var numerator = new BigInteger(mantissa) * scale;
            var denominator = BigInteger.Pow(2, -exponent);
            scaled = BigInteger.DivRem(numerator, denominator, out var remainder);
            var twice = remainder * 2;
            if (twice > denominator || (twice == denominator && !scaled.IsEven)) scaled += 1;
        }
        var text = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        var body = digits == 0 ? text : text[..^digits] + "." + text[^digits..];
        return negative ? "-" + body : body;
    }
}
