namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Words for a track's velocity. Speed is judged in box heights per second: a 1.7 m person walking at 1.4 m/s
/// moves about 0.8 heights per second whatever their size on the image, so one set of thresholds serves every
/// camera and distance.
/// </summary>
internal static class MotionDescription
{
    /// <summary>Below this (heights/s) an object counts as not moving: tracker velocity noise on a still box stays under it.</summary>
    public const float StationaryBelow = 0.1f;

    /// <summary>Below this, slow (shuffling, browsing); a stroll starts around 0.5.</summary>
    public const float SlowBelow = 0.4f;

    /// <summary>Below this, walking; running people (about 2) and moving cars are fast.</summary>
    public const float WalkingBelow = 1.5f;

    public static float SpeedOf(TrackSnapshot track) =>
        MathF.Sqrt(track.VelocityX * track.VelocityX + track.VelocityY * track.VelocityY);

    public static SpeedClass ClassOf(TrackSnapshot track)
    {
        if (track.IsStationary || track.Box.Height <= 0)
        {
            return SpeedClass.Stationary;
        }

        var heightsPerSecond = SpeedOf(track) / track.Box.Height;
        return heightsPerSecond < StationaryBelow ? SpeedClass.Stationary
            : heightsPerSecond < SlowBelow ? SpeedClass.Slow
            : heightsPerSecond < WalkingBelow ? SpeedClass.Walking
            : SpeedClass.Fast;
    }

    /// <summary>
    /// One of "up", "up-right", "right", "down-right", "down", "down-left", "left", "up-left" as seen on the image
    /// (45° sectors centred on each), or null when the object is stationary.
    /// </summary>
    public static string? DirectionOf(TrackSnapshot track)
    {
        if (ClassOf(track) == SpeedClass.Stationary)
        {
            return null;
        }

        // Image y grows downwards; negate it so that 0° is right and 90° is up.
        var degrees = MathF.Atan2(-track.VelocityY, track.VelocityX) * (180 / MathF.PI);
        var sector = (int)MathF.Round(degrees / 45f);
        return sector switch
        {
            0 => "right",
            1 => "up-right",
            2 => "up",
            3 => "up-left",
            4 or -4 => "left",
            -3 => "down-left",
            -2 => "down",
            _ => "down-right",
        };
    }
}
