namespace VimDense.Datasets.Transforms;

/// <summary>
/// Per-channel normalisation applied when an image leaves the pipeline: (x − mean)/std on 0–255 values in
/// RGB order (the BGR pipeline image is converted when <see cref="ToRgb"/> is set, as in mmseg and detectron2).
/// </summary>
public sealed record NormalizeOptions(float[] Mean, float[] Std, bool ToRgb = true)
{
    /// <summary>ImageNet statistics in RGB order, used by mmseg ADE20K configs and detectron2 ViTDet.</summary>
    public static NormalizeOptions ImageNet { get; } =
        new([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f]);

    /// <summary>Segmenter's mean = std = 127.5.</summary>
    public static NormalizeOptions Half { get; } = new([127.5f, 127.5f, 127.5f], [127.5f, 127.5f, 127.5f]);
}
