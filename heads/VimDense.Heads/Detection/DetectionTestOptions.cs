using VimDense.Config;

namespace VimDense.Heads.Detection;

/// <summary>Config section "test" of a detection experiment.</summary>
public sealed record DetectionTestOptions
{
    /// <summary>Overlays (after training, `vimdense predict`) draw the detections scoring at least this.</summary>
    [Min(0), Max(1)]
    public double OverlayScoreThreshold { get; init; } = 0.5;
}
