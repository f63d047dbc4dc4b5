namespace EdgeVision.Pipeline;

/// <summary>Where and when a frame was captured; travels with the frame through every stage.</summary>
/// <param name="CameraIndex">Position of the camera in the list the pipeline was started with.</param>
/// <param name="Sequence">Per-camera sequence number; skipped and dropped frames use one too.</param>
/// <param name="CapturedAt">Wall-clock time the frame was read (UTC).</param>
/// <param name="CaptureTimestamp">Monotonic time the frame was read (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</param>
/// <param name="Width">Source frame width in pixels.</param>
/// <param name="Height">Source frame height in pixels.</param>
public readonly record struct FrameInfo(
    int CameraIndex,
    long Sequence,
    DateTimeOffset CapturedAt,
    long CaptureTimestamp,
    int Width,
    int Height);
