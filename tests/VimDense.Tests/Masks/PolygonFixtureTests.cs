using Newtonsoft.Json.Linq;
using VimDense.Datasets.Masks;

namespace VimDense.Tests.Masks;

/// <summary>Every annotation of the COCO fixture rasterises exactly as pycocotools' annToRLE.</summary>
public class PolygonFixtureTests
{
    [Fact]
    public void AllFixtureAnnotationsMatchPycocotoolsBitForBit()
    {
        var gt = JObject.Parse(File.ReadAllText(TestPaths.Fixture("coco", "gt_100.json")));
        var expected = JObject.Parse(File.ReadAllText(TestPaths.Fixture("coco", "gt_100_rle.json")));
        var images = gt["images"]!.ToDictionary(i => (long)i["id"]!, i => ((int)i["height"]!, (int)i["width"]!));
        var checkedCount = 0;
        int polygons = 0, crowds = 0;
        foreach (var ann in gt["annotations"]!)
        {
            var (h, w) = images[(long)ann["image_id"]!];
            var segmentation = ann["segmentation"]!;
            Rle rle;
            if (segmentation is JArray list)
            {
                rle = RleCodec.FromPolygons(list.Select(p => p.ToObject<double[]>()!).ToList(), h, w);
                polygons++;
            }
            else
            {
                var size = segmentation["size"]!.ToObject<int[]>()!;
                var counts = segmentation["counts"]!;
                rle = counts.Type == JTokenType.String
                    ? RleCodec.FromCompressedString((string)counts!, size[0], size[1])
                    : RleCodec.FromUncompressed(counts.ToObject<long[]>()!, size[0], size[1]);
                crowds++;
            }
            var want = expected[(string)ann["id"]!]!;
            var id = (string)ann["id"]!;
            Assert.True(want["counts"]!.ToString() == RleCodec.ToCompressedString(rle), $"annotation {id}: counts differ");
            Assert.Equal(want["size"]!.ToObject<int[]>(), new[] { rle.Height, rle.Width });
            Assert.Equal((long)want["area"]!, rle.Area);
            Assert.Equal(want["bbox"]!.ToObject<double[]>(), RleCodec.ToBox(rle));
            // And the string parses back to the same runs.
            Assert.Equal(rle.Counts, RleCodec.FromCompressedString(want["counts"]!.ToString(), h, w).Counts);
            checkedCount++;
        }
        Assert.Equal(expected.Count, checkedCount);
        Assert.True(polygons > 0 && crowds > 0, $"fixture should hold both polygons ({polygons}) and crowd RLEs ({crowds})");
    }
}
