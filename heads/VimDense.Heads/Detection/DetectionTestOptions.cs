namespace VimDense.Heads.Detection;

/// <summary>Config section "test" of a detection experiment.</summary>
public sealed record DetectionTestOptions
{
    /// <summary>Overlays (after training, `vimdense predict`) draw the detections scoring at least this.</summary>
    public double OverlayScoreThreshold { get; init; } = 0.5;
}
