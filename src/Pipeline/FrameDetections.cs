using EdgeVision.Models;

namespace EdgeVision.Pipeline;

/// <summary>
/// What the pipeline hands to its sink for every processed frame. The detections array belongs to this
/// object; nothing in the pipeline touches it after the hand-over.
/// </summary>
/// <param name="Camera">The camera's configured name.</param>
/// <param name="Sequence">Per-camera frame sequence number of the captured frame (counts skipped and dropped frames too, so gaps show loss).</param>
/// <param name="CapturedAt">Wall-clock capture time (UTC).</param>
/// <param name="CaptureTimestamp">Monotonic capture time (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for latency.</param>
/// <param name="Width">Source frame width in pixels.</param>
/// <param name="Height">Source frame height in pixels.</param>
/// <param name="Model">Model name from its manifest.</param>
/// <param name="InferenceMs">Duration of the inference run (the whole batch) this frame was part of.</param>
/// <param name="BatchSize">How many frames that inference run held.</param>
public sealed record FrameDetections(
    string Camera,
    long Sequence,
    DateTimeOffset CapturedAt,
    long CaptureTimestamp,
    int Width,
    int Height,
    string Model,
    double InferenceMs,
    int BatchSize,
    Detection[] Detections)
{
    /// <summary>Track ids, events and count changes of this frame (counts only, and track ids all 0, for a camera in detect-only mode); null where no analytics ran.</summary>
    public Analytics.FrameAnalytics? Analytics { get; init; }

    /// <summary>
    /// The frame's position in its stream: media time for an unpaced file; for a paced file or a live source,
    /// the time since the epoch the pipeline's cameras share (a paced frame's release point on its camera's grid).
    /// </summary>
    public TimeSpan StreamTime { get; init; }
}
