namespace EdgeVision.Pipeline.Analytics;

/// <summary>How fast the object moves, as a class rather than a number so that captions need no calibration.</summary>
public enum CaptionSpeed
{
    Stationary,
    Slow,

    /// <summary>About the pace of a walking person.</summary>
    Walking,

    Fast,
}
