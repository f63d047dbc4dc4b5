using EdgeVision.Models;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>Turns one camera's detections, frame by frame, into tracks with stable ids.</summary>
public interface IObjectTracker
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
    TrackingFrame Update(
        string camera,
        long sequence,
        DateTimeOffset capturedAt,
        TimeSpan timestamp,
        int width,
        int height,
        IReadOnlyList<Detection> detections,
        ReadOnlySpan<float> appearances = default);
}
