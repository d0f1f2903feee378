namespace VimDense.Datasets.Transforms;

/// <summary>
/// Sizes of the detectron2 ViTDet large-scale-jitter pipelines. Defaults are the 1024² COCO recipe; tests and
/// demos use small sizes.
/// </summary>
public sealed record DetectionPipelineOptions
{
    /// <summary>ResizeScale target and FixedSizeCrop size (height, width); also the square the batch is padded to.</summary>
    public (int Height, int Width) ImageSize { get; init; } = (1024, 1024);

    /// <summary>ResizeScale range of s (target = s·ImageSize).</summary>
    public (double Min, double Max) ScaleRange { get; init; } = (0.1, 2.0);

    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Test resize: ResizeShortestEdge(short edge, max size).</summary>
    public int TestShortEdge { get; init; } = 1024;
    public int TestMaxSize { get; init; } = 1024;

    /// <summary>Replace boxes by the tight bounds of the transformed masks (recompute_boxes).</summary>
    public bool RecomputeBoxes { get; init; } = true;

    public NormalizeOptions Normalize { get; init; } = NormalizeOptions.ImageNet;
}
