namespace VimDense.Datasets.Transforms;

/// <summary>The PIL resampling filters <see cref="PilResize"/> reproduces (PIL's Image.NEAREST, BILINEAR, BICUBIC).</summary>
public enum PilFilter
{
    /// <summary>The source pixel under each output pixel's centre (detectron2's filter for masks).</summary>
    Nearest,

    /// <summary>Triangle filter, widened by the shrink factor when shrinking (detectron2's filter for images).</summary>
    Bilinear,

    /// <summary>Keys cubic (a = −0.5), widened when shrinking (timm's classification evaluation resize).</summary>
    Bicubic,
}
