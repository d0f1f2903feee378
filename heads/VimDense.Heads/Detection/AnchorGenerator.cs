using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's DefaultAnchorGenerator: per pyramid level one or more sizes × aspect ratios of
/// anchors centred at i·stride + offset·stride. Anchors of a level are ordered location-major
/// ((y, x) row by row), then by cell anchor, matching an RPN head output (N, A, H, W) read as (N, H, W, A).
/// </summary>
public sealed class AnchorGenerator
{
    public AnchorGenerator(IReadOnlyList<IReadOnlyList<double>> sizes, IReadOnlyList<double> aspectRatios,
        IReadOnlyList<int> strides, double offset = 0.0)
    {
        if (sizes.Count != strides.Count)
            throw new ArgumentException($"one size list per level expected: {sizes.Count} size lists, {strides.Count} strides", nameof(sizes));
        if (offset < 0 || offset >= 1) throw new ArgumentException($"offset must be in [0, 1), got {offset}", nameof(offset));
        Strides = strides;
        Offset = offset;
        CellAnchors = sizes.Select(levelSizes => CellAnchorsFor(levelSizes, aspectRatios)).ToList();
    }

    /// <summary>The ViTDet / Vim-det setting: sizes 32..512 on P2..P6, ratios 0.5/1/2, offset 0.</summary>
    public static AnchorGenerator Default() =>
        new([[32], [64], [128], [256], [512]], [0.5, 1.0, 2.0], [4, 8, 16, 32, 64]);

    public IReadOnlyList<int> Strides { get; }
    public double Offset { get; }

    /// <summary>Anchors per location and level: (A, 4) centred at the origin.</summary>
    public IReadOnlyList<double[,]> CellAnchors { get; }

    /// <summary>Anchors per location of each level.</summary>
    public int AnchorsPerLocation(int level) => CellAnchors[level].GetLength(0);

    /// <summary>All anchors of each level, (H·W·A, 4), for feature maps of the given (H, W) sizes.</summary>
    public List<Tensor> Generate(IReadOnlyList<(long Height, long Width)> gridSizes, Device? device = null)
    {
        if (gridSizes.Count != Strides.Count)
            throw new ArgumentException($"{Strides.Count} levels expected, got {gridSizes.Count} grid sizes", nameof(gridSizes));
        var result = new List<Tensor>();
        for (var level = 0; level < gridSizes.Count; level++)
        {
            using var scope = NewDisposeScope();
            var (height, width) = gridSizes[level];
            double stride = Strides[level];
            // Made where the features are (no per-step host-to-device copy of every level's anchors).
            var shiftX = arange(0, width, dtype: ScalarType.Float32, device: device) * stride + Offset * stride;
            var shiftY = arange(0, height, dtype: ScalarType.Float32, device: device) * stride + Offset * stride;
            var grid = meshgrid([shiftY, shiftX], indexing: "ij");
            var sx = grid[1].reshape(-1);
            var sy = grid[0].reshape(-1);
            var shifts = stack([sx, sy, sx, sy], 1);
            var cell = tensor(CellAnchors[level], ScalarType.Float32, device);
            var anchors = (shifts.unsqueeze(1) + cell.unsqueeze(0)).reshape(-1, 4);
            result.Add(anchors.MoveToOuterDisposeScope());
        }
        return result;
    }

    // For each size, for each ratio a = h / w: area size², w = sqrt(area / a), h = a·w (detectron2's order).
    private static double[,] CellAnchorsFor(IReadOnlyList<double> sizes, IReadOnlyList<double> ratios)
    {
        var cell = new double[sizes.Count * ratios.Count, 4];
        var row = 0;
        foreach (var size in sizes)
            foreach (var ratio in ratios)
            {
                var w = Math.Sqrt(size * size / ratio);
                var h = ratio * w;
                cell[row, 0] = -w / 2; cell[row, 1] = -h / 2; cell[row, 2] = w / 2; cell[row, 3] = h / 2;
                row++;
            }
        return cell;
    }
}
