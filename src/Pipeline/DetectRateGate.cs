namespace EdgeVision.Pipeline;

/// <summary>
/// Picks the frames a camera runs detection on by their timestamps: one per 1/fps, the rest skipped.
/// Due times advance by whole intervals from the last due time, so a 10 fps stream at 2 fps takes exactly
/// every fifth frame and does not drift; after a gap, or when time runs backwards (a looped file, a
/// reopened stream), it starts again from the next frame it sees.
/// </summary>
public sealed class DetectRateGate
{
    private readonly TimeSpan _interval;
    private TimeSpan? _due;

    /// <param name="fps">Detections per second; null or not positive takes every frame.</param>
    public DetectRateGate(double? fps)
    {
        _interval = fps is > 0 and var rate && double.IsFinite(rate)
            ? TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / rate))
            : TimeSpan.Zero;
    }

    public bool Take(TimeSpan timestamp)
    {
        if (_interval == TimeSpan.Zero)
        {
            return true;
        }

        if (_due is not { } due || timestamp < due - _interval)
        {
            _due = timestamp + _interval;
            return true;
        }

        if (timestamp < due)
        {
            return false;
        }

        _due = timestamp - due < _interval ? due + _interval : timestamp + _interval;
        return true;
    }
}
