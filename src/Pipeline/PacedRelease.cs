namespace EdgeVision.Pipeline;

/// <summary>
/// When a paced file releases its frames: one frame interval apart, starting on a point of the camera's grid
/// (<see cref="CameraClock.GridPointFrom"/>), so that paced cameras of one pipeline take turns instead of
/// arriving together. A file that fell too far behind its points (a slow disk, a paused process) starts again
/// from the next grid point rather than bursting through the frames it owes.
/// </summary>
internal sealed class PacedRelease(CameraClock clock, TimeSpan frameInterval, TimeSpan grid)
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(1);

    private TimeSpan _origin;
    private long _released;

    /// <summary>The release point of the next frame, as time since the clock's epoch.</summary>
    public TimeSpan Next()
    {
        var point = _origin + (frameInterval * _released);
        if (_released == 0 || point - clock.Now < -MaxLag)
        {
            _origin = clock.GridPointFrom(clock.Now, grid);
            _released = 0;
            point = _origin;
        }

        return point;
    }

    /// <summary>The frame due at the last <see cref="Next"/> point has gone out.</summary>
    public void Released() => _released++;
}
