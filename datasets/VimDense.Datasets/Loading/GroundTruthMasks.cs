using VimDense.Datasets.Masks;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// One image's ground-truth masks as Mask R-CNN targets without full-image rasters: an instance with polygons is
/// rasterised inside each proposal box at M × M (<see cref="BoxPolygonRasterizer"/>, detectron2's
/// <c>PolygonMasks.crop_and_resize</c>); an instance given as a bitmap (RLE ground truth) keeps its bitmap at the
/// image's own size and goes through RoIAlign (<see cref="BitMasks"/>, detectron2's <c>BitMasks.crop_and_resize</c>).
/// Memory: the polygons plus the bitmaps of bitmap instances only (detectron2 uses one format per dataset; a COCO
/// file may mix them, so each instance uses its own). An instance with neither gives an empty target.
/// </summary>
public sealed class GroundTruthMasks : IInstanceMasks
{
    private readonly IReadOnlyList<double[]>[] _polygons;
    private readonly int[] _bitmapRow; // instance → row of _bitmaps, or −1
    private readonly BitMasks? _bitmaps;

    /// <param name="height">image height: bitmaps are row-major <paramref name="height"/> × <paramref name="width"/></param>
    public GroundTruthMasks(IReadOnlyList<Instance> instances, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(instances);
        _polygons = instances.Select(i => i.Polygons).ToArray();
        _bitmapRow = new int[instances.Count];
        var bitmaps = new List<byte[]>();
        for (var i = 0; i < instances.Count; i++)
        {
            _bitmapRow[i] = -1;
            if (instances[i].Polygons.Count > 0 || instances[i].Bitmask is not { } m) continue;
            if (m.Length != (long)height * width)
                throw new ArgumentException($"instance {i}: bitmask has {m.Length} bytes, expected the image's {height}×{width}", nameof(instances));
            _bitmapRow[i] = bitmaps.Count;
            bitmaps.Add(m);
        }
        if (bitmaps.Count > 0)
            _bitmaps = new BitMasks(tensor(bitmaps.SelectMany(b => b).ToArray(), [bitmaps.Count, height, width], dtype: ScalarType.Byte));
    }

    public int Count => _polygons.Length;

    /// <summary>Whether any instance is held as a bitmap (the rest are polygons).</summary>
    public bool HasBitmaps => _bitmaps is not null;

    public Tensor CropAndResize(Tensor indices, Tensor boxes, int maskSize)
    {
        var r = (int)boxes.shape[0];
        var index = indices.to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
        var box = boxes.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var area = maskSize * maskSize;
        var targets = new float[(long)r * area];
        var bitmapRois = new List<int>();
        for (var k = 0; k < r; k++)
        {
            var g = index[k];
            if (g < 0 || g >= Count) throw new ArgumentOutOfRangeException(nameof(indices), $"ground-truth index {g} of {Count} instances");
            if (_bitmapRow[g] >= 0) { bitmapRois.Add(k); continue; }
            var mask = BoxPolygonRasterizer.Rasterize(_polygons[g], box[4 * k], box[4 * k + 1], box[4 * k + 2], box[4 * k + 3], maskSize);
            for (var p = 0; p < area; p++) targets[(long)k * area + p] = mask[p];
        }
        if (bitmapRois.Count > 0)
        {
            using var rows = tensor(bitmapRois.Select(k => (long)_bitmapRow[index[k]]).ToArray());
            using var rois = tensor(bitmapRois.SelectMany(k => box.AsSpan(4 * k, 4).ToArray()).ToArray(), [bitmapRois.Count, 4]);
            using var crops = _bitmaps!.CropAndResize(rows, rois, maskSize);
            var values = crops.contiguous().data<float>().ToArray();
            for (var j = 0; j < bitmapRois.Count; j++) values.AsSpan(j * area, area).CopyTo(targets.AsSpan(bitmapRois[j] * area, area));
        }
        return tensor(targets, [r, maskSize, maskSize]).to(boxes.device);
    }

    public void Dispose() => _bitmaps?.Dispose();
}
