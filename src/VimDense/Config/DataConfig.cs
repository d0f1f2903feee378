namespace VimDense.Config;

/// <summary>
/// The data set and loader part of the config's data section; its other keys are the task's pipeline settings,
/// bound into the pipeline options beside the pipelines (datasets/Transforms).
/// </summary>
public sealed class DataConfig
{
    public string Type { get; set; } = "ade20k";
    /// <summary>ADEChallengeData2016 folder (images/, annotations/); relative paths are relative to the current directory (as mmseg).</summary>
    public string Root { get; set; } = "data/ade/ADEChallengeData2016";
    /// <summary>When set, a synthetic ADE20K-format set is generated at <see cref="Root"/> if absent.</summary>
    public SyntheticDataConfig? Synthetic { get; set; }
    /// <summary>
    /// ADE-layout folders: the class names, in train-id order (COCO files name their classes in "categories"; both
    /// may not be set). Neither given: ADE20K's 150 names (a synthetic set: the first data.synthetic.classes).
    /// </summary>
    public List<string>? Classes { get; set; }
    /// <summary>ADE-layout folders: a text file of class names, one per line (relative paths: to the current directory).</summary>
    public string? ClassesFile { get; set; }
    /// <summary>One [r, g, b] (0..255) per class for overlays; absent: ADE20K's palette, cycled (deterministic).</summary>
    public List<int[]>? Palette { get; set; }
    /// <summary>
    /// ADE-layout label maps: mmseg's reduce_zero_label (0 → 255 ignore, k → k−1), on as ADE20K needs it; off: the
    /// PNG values are the train ids (0..num_classes−1, 255 ignore).
    /// </summary>
    public bool ReduceZeroLabel { get; set; } = true;
    public string TrainSplit { get; set; } = "training";
    public string ValSplit { get; set; } = "validation";
    /// <summary>Images per optimizer step in total (split into micro-batches by optimizer.accumulation_steps).</summary>
    [Min(1)]
    public int BatchSize { get; set; } = 16;
    [Min(1)]
    public int Workers { get; set; } = 2;
    [Min(1)]
    public int Prefetch { get; set; } = 4;
    /// <summary>Evaluate on the first N validation images only (0 = all).</summary>
    [Min(0)]
    public int ValMaxImages { get; set; }
    /// <summary>
    /// Images with more pixels (width × height, read from the file's header before anything is decoded) are refused as
    /// bad samples: a 12000² JPEG would take gigabytes. The default, 2^26 (8192²), is above every ADE20K and COCO image.
    /// </summary>
    [Min(1)]
    public long MaxImagePixels { get; set; } = DefaultMaxImagePixels;
    /// <summary>error (default): a bad sample or annotation stops the run naming the file; skip: it is left out and counted.</summary>
    public BadSamplePolicy OnBadSample { get; set; } = BadSamplePolicy.Error;

    /// <summary>The default of <see cref="MaxImagePixels"/>.</summary>
    public const long DefaultMaxImagePixels = 1L << 26;
}
