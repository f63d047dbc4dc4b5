namespace EdgeVision.Pipeline.Analytics;

/// <summary>Speed measured in box heights per second, so that it reads the same near the camera and far from it.</summary>
public enum SpeedClass
{
    Stationary,
    Slow,
    Walking,
    Fast,
}
