using EdgeVision.Models;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>Turns one camera's detections, frame by frame, into tracks with stable ids.</summary>
internal interface IObjectTracker
{
    /// <summary>
    /// Advances the tracks to <paramref name="timestamp"/> and associates <paramref name="detections"/> with
    /// them. The returned frame is new on every call; callers may keep it.
    /// </summary>
    /// <param name="timestamp">Monotonic time of the frame in its camera's stream; an earlier time than the last one starts the tracker afresh.</param>
    /// <param name="appearances">
    /// Empty, or each detection's colour signature (<see cref="ColourNamer.Describe(OpenCvSharp.Mat, BoxF, Span{float})"/>):
    /// <see cref="ColourNamer.DescriptorLength"/> values per detection in the order of <paramref name="detections"/>,
    /// NaN as the first value of a detection without one. With them, an object stepping out over another does
    /// not take its id (<see cref="TrackerOptions.AppearanceWeight"/>, <see cref="TrackerOptions.UpperAppearanceGate"/>).
    /// </param>
    /// <param name="lookedAt">
    /// Null when the detector saw the whole frame; else the parts it saw (regions, source pixels). A followed track
    /// whose predicted box lies mostly outside all of them is not missed but unseen: it keeps its state and place.
    /// </param>
    TrackingFrame Update(
        string camera,
        long sequence,
        DateTimeOffset capturedAt,
        TimeSpan timestamp,
        int width,
        int height,
        IReadOnlyList<Detection> detections,
        ReadOnlySpan<float> appearances = default,
        IReadOnlyList<BoxF>? lookedAt = null);

    /// <summary>
    /// The detector did not look at this camera's frames from the last update up to <paramref name="until"/>,
    /// because nothing moved: confirmed tracks that are followed stay where they were and count as seen for that
    /// time, so a pause in detection neither ends them nor moves them. A coasting track is not refreshed.
    /// </summary>
    void Hold(TimeSpan until);
}
