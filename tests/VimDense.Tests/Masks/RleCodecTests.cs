using VimDense.Datasets.Masks;

namespace VimDense.Tests.Masks;

public class RleCodecTests
{
    /// <summary>Row-major 4x4 mask with the 2x2 block at x,y in {1,2}.</summary>
    private static readonly byte[] CentreBlock =
    [
        0, 0, 0, 0,
        0, 1, 1, 0,
        0, 1, 1, 0,
        0, 0, 0, 0,
    ];

    [Fact]
    public void EncodesColumnMajorRunsStartingWithZeros()
    {
        // Columns (top to bottom): 0000 | 0110 | 0110 | 0000 -> 5 zeros, 2 ones, 2 zeros, 2 ones, 5 zeros.
        var rle = RleCodec.Encode(CentreBlock, 4, 4);
        Assert.Equal(new uint[] { 5, 2, 2, 2, 5 }, rle.Counts);
        Assert.Equal(4, rle.Area);
        Assert.Equal(new double[] { 1, 1, 2, 2 }, RleCodec.ToBox(rle));
        // A mask starting with a 1 has an empty first run; transposition matters for non-square masks.
        var rect = RleCodec.Encode([1, 1, 1, 0, 0, 0], 2, 3); // rows: 111 / 000
        Assert.Equal(new uint[] { 0, 1, 1, 1, 1, 1, 1 }, rect.Counts);
    }

    [Fact]
    public void BoxRasterisesToTheCoveredPixels()
    {
        Assert.Equal(new uint[] { 5, 2, 2, 2, 5 }, RleCodec.FromBox(1, 1, 2, 2, 4, 4).Counts);
        // [0,0,1,1] covers exactly the first pixel.
        Assert.Equal(new uint[] { 0, 1, 15 }, RleCodec.FromBox(0, 0, 1, 1, 4, 4).Counts);
    }

    [Fact]
    public void PolygonListWhoseFirstEntryHasFourNumbersIsReadAsBoxes()
    {
        // frPyObjects decides on the first entry: [[x, y, w, h]] is a box, not a 2-point polygon.
        Assert.Equal(RleCodec.FromBox(1, 1, 2, 2, 4, 4).Counts, RleCodec.FromPolygons([[1, 1, 2, 2]], 4, 4).Counts);
        // A triangle covering the pixel centres below its diagonal, unioned with a 1x1 square polygon.
        var triangle = RleCodec.FromPolygons([[0, 0, 4, 4, 0, 4], [3, 0, 4, 0, 4, 1, 3, 1]], 4, 4);
        var pixels = RleCodec.Decode(triangle);
        Assert.Equal(1, pixels[3 * 4 + 0]); // (x=0, y=3): centre (0.5, 3.5) inside the triangle
        Assert.Equal(0, pixels[0 * 4 + 1]); // (x=1, y=0): outside both
        Assert.Equal(1, pixels[0 * 4 + 3]); // (x=3, y=0): in the small square
    }

    [Theory]
    [InlineData(new uint[] { 5, 2, 2, 2, 5 }, 4, 4, "52203")]
    [InlineData(new uint[] { 1, 5, 1, 1 }, 2, 4, "151L")]   // delta 1-5 = -4: one group with the sign bit set
    [InlineData(new uint[] { 100 }, 10, 10, "T3")]           // 100 = 4 + 3*32: continuation bit on the first group
    public void CompressedStringMatchesHandEncoding(uint[] counts, int h, int w, string expected)
    {
        var rle = new Rle(h, w, counts);
        Assert.Equal(expected, RleCodec.ToCompressedString(rle));
        Assert.Equal(counts, RleCodec.FromCompressedString(expected, h, w).Counts);
    }

    [Theory]
    [InlineData("5220", "runs sum to")]              // counts do not cover 4x4
    [InlineData("52\u00012", "outside the range")]   // control character
    [InlineData("5220T", "truncated")]               // continuation bit on the last character
    public void MalformedCompressedStringIsRejected(string counts, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => RleCodec.FromCompressedString(counts, 4, 4));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void RandomMasksRoundTripThroughRunsAndStrings()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            int h = random.Next(1, 40), w = random.Next(1, 40);
            var mask = RandomBlobMask(random, h, w);
            var rle = RleCodec.Encode(mask, h, w);
            Assert.Equal(mask, RleCodec.Decode(rle));
            Assert.Equal(mask.Count(b => b != 0), rle.Area);
            var text = RleCodec.ToCompressedString(rle);
            Assert.Equal(rle.Counts, RleCodec.FromCompressedString(text, h, w).Counts);
        }
    }

    [Fact]
    public void MergeAndIouAgreeWithPixelwiseReference()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 100; trial++)
        {
            int h = random.Next(1, 30), w = random.Next(1, 30);
            var a = RandomBlobMask(random, h, w);
            var b = RandomBlobMask(random, h, w);
            var c = RandomBlobMask(random, h, w);
            var ra = RleCodec.Encode(a, h, w);
            var rb = RleCodec.Encode(b, h, w);
            var rc = RleCodec.Encode(c, h, w);
            var union = a.Select((v, i) => (byte)(v | b[i] | c[i])).ToArray();
            var inter = a.Select((v, i) => (byte)(v & b[i] & c[i])).ToArray();
            Assert.Equal(RleCodec.Encode(union, h, w).Counts, RleCodec.Merge([ra, rb, rc]).Counts);
            Assert.Equal(RleCodec.Encode(inter, h, w).Counts, RleCodec.Merge([ra, rb, rc], intersect: true).Counts);

            var iou = RleCodec.Iou([ra], [rb, rc], [false, true]);
            long i1 = a.Zip(b).Count(p => p.First != 0 && p.Second != 0);
            long u1 = a.Zip(b).Count(p => p.First != 0 || p.Second != 0);
            long i2 = a.Zip(c).Count(p => p.First != 0 && p.Second != 0);
            Assert.Equal(i1 == 0 ? 0 : (double)i1 / u1, iou[0, 0]);
            Assert.Equal(i2 == 0 ? 0 : (double)i2 / ra.Area, iou[0, 1]); // crowd: union = detection area
        }
    }

    [Fact]
    public void TightBoxMatchesPixelReferenceIncludingColumnWrapQuirk()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            int h = random.Next(1, 20), w = random.Next(1, 20);
            var mask = RandomBlobMask(random, h, w);
            Assert.Equal(ReferenceBox(mask, h, w), RleCodec.ToBox(RleCodec.Encode(mask, h, w)));
        }
    }

    [Fact]
    public void BoxIouHandlesCrowdAndDisjointBoxes()
    {
        var iou = RleCodec.BoxIou([[0, 0, 10, 10]], [[5, 0, 10, 10], [5, 0, 10, 10], [10, 0, 5, 5]], [false, true, false]);
        Assert.Equal(50.0 / 150.0, iou[0, 0]);
        Assert.Equal(50.0 / 100.0, iou[0, 1]);
        Assert.Equal(0.0, iou[0, 2]); // touching edges do not overlap
    }

    [Fact]
    public void MasksOfDifferentSizesGiveMinusOneAndCannotMerge()
    {
        var a = RleCodec.FromBox(0, 0, 2, 2, 4, 4);
        var b = RleCodec.FromBox(0, 0, 2, 2, 4, 5);
        Assert.Equal(-1.0, RleCodec.Iou([a], [b], [false])[0, 0]);
        Assert.Throws<ArgumentException>(() => RleCodec.Merge([a, b]));
    }

    /// <summary>A mask with a few random rectangles and sprinkled pixels (runs of all lengths, wraps included).</summary>
    internal static byte[] RandomBlobMask(Random random, int h, int w)
    {
        var mask = new byte[h * w];
        for (var r = random.Next(0, 4); r > 0; r--)
        {
            int x0 = random.Next(w), y0 = random.Next(h), x1 = random.Next(x0, w), y1 = random.Next(y0, h);
            for (var y = y0; y <= y1; y++)
                for (var x = x0; x <= x1; x++) mask[y * w + x] = 1;
        }
        for (var i = random.Next(0, 5); i > 0; i--) mask[random.Next(h * w)] ^= 1;
        return mask;
    }

    /// <summary>Tight box by scanning pixels; a foreground run crossing a column boundary makes pycocotools use the full height.</summary>
    private static double[] ReferenceBox(byte[] mask, int h, int w)
    {
        int xs = int.MaxValue, xe = -1, ys = int.MaxValue, ye = -1;
        var wraps = false;
        for (var i = 0; i < h * w; i++)
        {
            int x = i / h, y = i % h;
            if (mask[y * w + x] == 0) continue;
            xs = Math.Min(xs, x); xe = Math.Max(xe, x); ys = Math.Min(ys, y); ye = Math.Max(ye, y);
            if (y == h - 1 && x + 1 < w && mask[x + 1] != 0) wraps = true; // run continues at the top of the next column
        }
        if (xe < 0) return [0, 0, 0, 0];
        if (wraps) { ys = 0; ye = h - 1; }
        return [xs, ys, xe - xs + 1, ye - ys + 1];
    }
}
