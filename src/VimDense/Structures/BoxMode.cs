namespace VimDense.Structures;

/// <summary>
/// How the four numbers of a box are laid out, always in absolute pixels (detectron2's BoxMode). The instance
/// model keeps boxes as <see cref="XyxyAbs"/>; <see cref="XywhAbs"/> is COCO's file format. Convert with
/// <see cref="BoxConversion"/>, the one place that does it.
/// </summary>
public enum BoxMode
{
    /// <summary>(x1, y1, x2, y2): corners.</summary>
    XyxyAbs,

    /// <summary>(x, y, width, height): top-left corner and size (COCO's "bbox").</summary>
    XywhAbs,
}
