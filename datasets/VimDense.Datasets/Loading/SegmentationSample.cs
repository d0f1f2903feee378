namespace VimDense.Datasets.Loading;

/// <summary>
/// One semantic-segmentation sample after its pipeline: a normalised planar RGB image and a label map of
/// train ids (255 = ignore). In training both have the crop size (padded); in testing the image is resized
/// while the label stays at the original resolution, as mmseg evaluates there.
/// </summary>
public sealed class SegmentationSample
{
    /// <summary>Identifier of the source (file stem), for logs and result files.</summary>
    public required string Name { get; init; }

    /// <summary>Normalised image, (3, <see cref="Height"/>, <see cref="Width"/>) row-major.</summary>
    public required float[] Image { get; init; }

    public required int Height { get; init; }
    public required int Width { get; init; }

    /// <summary>Label map, (<see cref="LabelHeight"/>, <see cref="LabelWidth"/>) row-major.</summary>
    public required byte[] Label { get; init; }

    public required int LabelHeight { get; init; }
    public required int LabelWidth { get; init; }

    /// <summary>Size of the image as stored on disk.</summary>
    public required int OriginalHeight { get; init; }
    public required int OriginalWidth { get; init; }

    /// <summary>Size of the image content inside <see cref="Image"/> before padding.</summary>
    public required int ContentHeight { get; init; }
    public required int ContentWidth { get; init; }

    /// <summary>Whether the sample was flipped horizontally.</summary>
    public bool Flipped { get; init; }
}
