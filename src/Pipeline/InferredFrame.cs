using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Pipeline;

/// <summary>A frame after inference and decoding, on its way to the analytics stage.</summary>
/// <param name="Detections">Owned by this item, then by the <see cref="FrameDetections"/> made from it.</param>
/// <param name="InferenceMs">Duration of the batch run the frame was part of.</param>
/// <param name="BatchSize">Frames in that batch.</param>
/// <param name="DecodeMs">Time spent decoding and suppressing this frame's boxes.</param>
/// <remarks>
/// A frame after inference. <paramref name="Image"/> is the letterboxed-size copy of the frame the detector saw
/// (its <see cref="PooledFrame.Transform"/> maps source pixels onto it, and for a tracking camera its
/// <see cref="PooledFrame.Source"/> holds the full frame); ownership moves with this item, and analytics
/// returns both to their pools once analytics (colours, snapshots) has read them.
/// </remarks>
internal readonly record struct InferredFrame(FrameInfo Info, Detection[] Detections, double InferenceMs, int BatchSize, double DecodeMs, PooledFrame Image)
{
    /// <summary>The frame's time in its stream (media time for a file read unpaced, time since the pipeline's epoch for a live source).</summary>
    public TimeSpan StreamTime { get; init; }

    /// <summary>Stream time of the last frame of the camera the detection gate skipped right before this one, or null.</summary>
    public TimeSpan? HeldUntil { get; init; }

    /// <summary>Null when the frame was detected whole; else the regions it was detected in (source pixels), and <see cref="Image"/> is the full frame.</summary>
    public BoxF[]? Regions { get; init; }
}
