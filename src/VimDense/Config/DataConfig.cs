namespace VimDense.Config;

/// <summary>Data set, augmentation (mmseg ADE20K 512 pipeline by default) and loader settings.</summary>
public sealed class DataConfig
{
    public string Type { get; set; } = "ade20k";
    /// <summary>ADEChallengeData2016 folder (images/, annotations/); relative paths are relative to the current directory (as mmseg).</summary>
    public string Root { get; set; } = "data/ade/ADEChallengeData2016";
    /// <summary>When set, a synthetic ADE20K-format set is generated at <see cref="Root"/> if absent.</summary>
    public SyntheticDataConfig? Synthetic { get; set; }
    public string TrainSplit { get; set; } = "training";
    public string ValSplit { get; set; } = "validation";
    /// <summary>Keep-ratio resize target (long, short) for training (× ratio) and testing.</summary>
    public List<int> Scale { get; set; } = [2048, 512];
    public List<double> RatioRange { get; set; } = [0.5, 2.0];
    public List<int> CropSize { get; set; } = [512, 512];
    /// <summary>Detection: LSJ square training size (random scale in <see cref="LsjScaleRange"/>, crop/pad) and test size (shorter side, capped).</summary>
    public int ImageSize { get; set; } = 1024;
    public List<double> LsjScaleRange { get; set; } = [0.1, 2.0];
    public double CatMaxRatio { get; set; } = 0.75;
    public double FlipProbability { get; set; } = 0.5;
    public bool PhotoMetricDistortion { get; set; } = true;
    public List<float> Mean { get; set; } = [123.675f, 116.28f, 103.53f];
    public List<float> Std { get; set; } = [58.395f, 57.12f, 57.375f];
    /// <summary>Images per optimizer step in total (split into micro-batches by optimizer.accumulation_steps).</summary>
    public int BatchSize { get; set; } = 16;
    public int Workers { get; set; } = 2;
    public int Prefetch { get; set; } = 4;
    /// <summary>Evaluate on the first N validation images only (0 = all).</summary>
    public int ValMaxImages { get; set; }
}
