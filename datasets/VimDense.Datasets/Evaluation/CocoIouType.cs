namespace VimDense.Datasets.Evaluation;

/// <summary>What COCO evaluation compares: boxes or instance masks.</summary>
public enum CocoIouType
{
    Bbox,
    Segm,
}
