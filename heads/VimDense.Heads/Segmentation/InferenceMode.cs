namespace VimDense.Heads.Segmentation;

/// <summary>How a segmentor covers a full image at test time.</summary>
public enum InferenceMode
{
    /// <summary>One pass over the whole image.</summary>
    Whole,
    /// <summary>Overlapping crops, logits averaged by coverage (mmseg slide_inference).</summary>
    Slide,
}
