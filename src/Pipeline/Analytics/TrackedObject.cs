namespace EdgeVision.Pipeline.Analytics;

/// <summary>The tracker's mutable record of one object; never leaves <see cref="ObjectTracker"/>.</summary>
internal sealed class TrackedObject(int classId, string label, float score, BoxF box, TimeSpan seenAt)
{
    /// <summary>0 until the track is confirmed; then its id for life.</summary>
    public int Id { get; set; }

    public int ClassId { get; } = classId;

    public string Label { get; } = label;

    public float Score { get; set; } = score;

    public TrackState State { get; set; } = TrackState.Tentative;

    public BoxKalmanFilter Motion { get; } = new(box);

    /// <summary>The box of the last matched detection.</summary>
    public BoxF DetectedBox { get; set; } = box;

    /// <summary>Consecutive frames with a matched detection; counts towards confirmation.</summary>
    public int Hits { get; set; } = 1;

    public TimeSpan LastDetectedAt { get; set; } = seenAt;

    public bool DetectedThisFrame { get; set; } = true;

    /// <summary>On this frame the detector did not look where the track is (outside every region it ran on).</summary>
    public bool UnseenThisFrame { get; set; }

    /// <summary>Since when the object has been slower than the stationary speed; null while it moves.</summary>
    public TimeSpan? StillSince { get; set; }

    public bool IsStationary { get; set; }

    /// <summary>
    /// Running mean of the colour signatures (<see cref="ColourNamer.Describe(OpenCvSharp.Mat, BoxF, Span{float})"/>) of the object's unobstructed
    /// confident detections; null until one arrives with a signature.
    /// </summary>
    public float[]? Appearance { get; set; }

    /// <summary>How many signatures <see cref="Appearance"/> holds.</summary>
    public int AppearanceSamples { get; set; }

    /// <summary>The box the track reports: the detection's when it has one this frame, else the prediction.</summary>
    public BoxF ReportedBox => DetectedThisFrame ? DetectedBox : Motion.Box;
}
