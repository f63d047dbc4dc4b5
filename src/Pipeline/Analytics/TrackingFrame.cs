namespace EdgeVision.Pipeline.Analytics;

/// <summary>An axis-aligned box in source pixels.</summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;

    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    /// <summary>Where zone membership is tested: the middle of the bottom edge (the feet of a person, the wheels of a car).</summary>
    public (float X, float Y) BottomCentre => ((X1 + X2) / 2, Y2);

    /// <summary>Intersection over union with <paramref name="other"/>: 0 for disjoint or empty boxes, 1 for equal ones.</summary>
    public float IntersectionOverUnion(BoxF other)
    {
        var intersection = IntersectionArea(other);
        return intersection <= 0 ? 0f : intersection / (Area + other.Area - intersection);
    }

    /// <summary>Area the two boxes share; 0 when they are disjoint.</summary>
    public float IntersectionArea(BoxF other)
    {
        var width = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        var height = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        return width <= 0 || height <= 0 ? 0f : width * height;
    }
}

/// <summary>Dominant colours of a tracked object, by name ("red", "dark blue", …); upper and lower halves for people.</summary>
public sealed record ObjectColours(string? Upper, string? Lower, string? Overall);

/// <summary>One tracked object as the tracker sees it on one frame.</summary>
/// <param name="Detected">Whether a detection was matched to the track on this frame (false while coasting through an occlusion).</param>
/// <param name="VelocityX">Horizontal velocity in source pixels per second, from the track's motion model.</param>
/// <param name="Colours">Dominant colours, when the stage that sees the pixels measured them.</param>
public sealed record TrackSnapshot(
    int TrackId,
    int ClassId,
    string Label,
    float Score,
    BoxF Box,
    float VelocityX,
    float VelocityY,
    bool IsStationary,
    bool Detected,
    ObjectColours? Colours = null)
{
    /// <summary>
    /// Set in place by the stage that reads the pixels, before the frame is handed on: the tracker makes a new
    /// snapshot every frame, so filling this in needs no second copy of every track.
    /// </summary>
    public ObjectColours? Colours { get; set; } = Colours;

    /// <summary>
    /// The detector did not look where this track is on this frame (it ran on regions elsewhere): not detected,
    /// but not missed either; the track keeps its place and state.
    /// </summary>
    public bool Unseen { get; init; }
}

/// <summary>
/// What the tracker hands to analytics for each processed frame of a camera: every confirmed track (detected
/// or coasting) and the ids of tracks that ended on this frame.
/// </summary>
/// <param name="Timestamp">Monotonic time of the frame within its camera's stream.</param>
internal sealed record TrackingFrame(
    string Camera,
    long Sequence,
    DateTimeOffset CapturedAt,
    TimeSpan Timestamp,
    int Width,
    int Height,
    IReadOnlyList<TrackSnapshot> Tracks,
    IReadOnlyList<int> EndedTrackIds);
