namespace EdgeVision.Pipeline.Analytics;

/// <summary>How an <see cref="ObjectTracker"/> associates detections, confirms, keeps and ends tracks.</summary>
public sealed class TrackerOptions
{
    /// <summary>Detections at or above this score take part in the first association and may start tracks (ByteTrack: 0.5).</summary>
    public float HighScoreThreshold { get; set; } = 0.5f;

    /// <summary>
    /// Detections from here up to <see cref="HighScoreThreshold"/> can only keep an existing track alive (the
    /// second association); below it they are ignored. ByteTrack: 0.1. The detector must be run with a score
    /// threshold no higher than this for the second association to see anything.
    /// </summary>
    public float LowScoreThreshold { get; set; } = 0.1f;

    /// <summary>Least IoU for a high-score detection to continue a track (ByteTrack's first match: cost 0.8, IoU 0.2).</summary>
    public float HighMatchIou { get; set; } = 0.2f;

    /// <summary>
    /// Least IoU for a low-score detection to continue a track; stricter, since low scores are often
    /// background or a neighbour's fragment (ByteTrack's second match: cost 0.5, IoU 0.5).
    /// </summary>
    public float LowMatchIou { get; set; } = 0.5f;

    /// <summary>Least IoU for a tentative track to take its second detection (ByteTrack: cost 0.7, IoU 0.3).</summary>
    public float TentativeMatchIou { get; set; } = 0.3f;

    /// <summary>
    /// Consecutive detections that confirm a new track and give it an id. On the tracker's first frame every
    /// high-score detection is confirmed at once, so a tracker started mid-scene reports the scene at once.
    /// </summary>
    public int ConfirmHits { get; set; } = 2;

    /// <summary>
    /// How long a confirmed track that no detection continues is kept (coasting on its prediction) before it
    /// ends. Measured on frame timestamps, not counted in frames, because the detect rate may change.
    /// </summary>
    public TimeSpan TrackBuffer { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// How far, in heights of the lost track's box, a confident detection no track claimed may be from a lost
    /// track's predicted centre and still continue it; 0 turns this recovery off.
    /// </summary>
    public float RecoveryDistance { get; set; } = 1.0f;

    /// <summary>
    /// How much colour counts in pairing tracks with detections when the caller passes colour signatures: this
    /// times (1 − upper-body similarity) is added to the IoU cost (1 − IoU), so of two boxes in the right place
    /// the one that looks like the object wins. 0 leaves pairing to position alone.
    /// </summary>
    public float AppearanceWeight { get; set; } = 0.3f;

    /// <summary>
    /// With <see cref="LowerAppearanceGate"/>: a track and a detection whose upper-body similarity is below this
    /// and whose lower-body similarity is below that are never paired, whatever their overlap. Both must differ,
    /// because a box half hidden by someone else changes one band's colours but rarely both.
    /// </summary>
    public float UpperAppearanceGate { get; set; } = 0.35f;

    /// <summary>See <see cref="UpperAppearanceGate"/>.</summary>
    public float LowerAppearanceGate { get; set; } = 0.65f;

    /// <summary>
    /// Speed below which an object counts as still, in box sizes (√(width·height)) per second, so one
    /// threshold fits near and far objects: a walker moves about one size per second, while the filtered
    /// velocity of a still object jitters by some 0.05 sizes per second.
    /// </summary>
    public float StationarySpeed { get; set; } = 0.15f;

    /// <summary>
    /// Speed above which a stationary object counts as moving again, in sizes per second. Higher than
    /// <see cref="StationarySpeed"/> so that box jitter around the threshold does not flip the state.
    /// </summary>
    public float MovingSpeed { get; set; } = 0.35f;

    /// <summary>How long an object must stay below <see cref="StationarySpeed"/> to become stationary.</summary>
    public TimeSpan StationaryHold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Every problem with the options, each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckProbability(errors, nameof(LowScoreThreshold), LowScoreThreshold);
        CheckProbability(errors, nameof(HighScoreThreshold), HighScoreThreshold);
        if (LowScoreThreshold > HighScoreThreshold)
        {
            errors.Add($"{nameof(LowScoreThreshold)}: must not exceed {nameof(HighScoreThreshold)} ({HighScoreThreshold}), found {LowScoreThreshold}");
        }

        CheckIou(errors, nameof(HighMatchIou), HighMatchIou);
        CheckIou(errors, nameof(LowMatchIou), LowMatchIou);
        CheckIou(errors, nameof(TentativeMatchIou), TentativeMatchIou);
        CheckProbability(errors, nameof(AppearanceWeight), AppearanceWeight);
        CheckProbability(errors, nameof(UpperAppearanceGate), UpperAppearanceGate);
        CheckProbability(errors, nameof(LowerAppearanceGate), LowerAppearanceGate);
        if (ConfirmHits < 1)
        {
            errors.Add($"{nameof(ConfirmHits)}: must be at least 1, found {ConfirmHits}");
        }

        if (!(RecoveryDistance >= 0) || !float.IsFinite(RecoveryDistance))
        {
            errors.Add($"{nameof(RecoveryDistance)}: must be 0 (off) or a positive number of box heights, found {RecoveryDistance}");
        }

        if (TrackBuffer < TimeSpan.Zero)
        {
            errors.Add($"{nameof(TrackBuffer)}: must not be negative, found {TrackBuffer}");
        }

        if (!(StationarySpeed >= 0) || float.IsInfinity(StationarySpeed))
        {
            errors.Add($"{nameof(StationarySpeed)}: must be a finite speed of at least 0, found {StationarySpeed}");
        }

        if (!(MovingSpeed >= StationarySpeed) || float.IsInfinity(MovingSpeed))
        {
            errors.Add($"{nameof(MovingSpeed)}: must be finite and at least {nameof(StationarySpeed)} ({StationarySpeed}), found {MovingSpeed}");
        }

        if (StationaryHold < TimeSpan.Zero)
        {
            errors.Add($"{nameof(StationaryHold)}: must not be negative, found {StationaryHold}");
        }

        return errors;
    }

    private static void CheckProbability(List<string> errors, string name, float value)
    {
        if (!(value >= 0f && value <= 1f))
        {
            errors.Add($"{name}: must lie in [0, 1], found {value}");
        }
    }

    // An IoU gate of 0 would pair boxes that do not touch at all.
    private static void CheckIou(List<string> errors, string name, float value)
    {
        if (!(value > 0f && value <= 1f))
        {
            errors.Add($"{name}: must lie in (0, 1], found {value}");
        }
    }
}
