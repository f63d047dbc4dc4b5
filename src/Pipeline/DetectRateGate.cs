namespace EdgeVision.Pipeline;

/// <summary>
/// Picks the frames a camera runs detection on by their timestamps: one per 1/fps, the rest skipped.
/// Due times lie on a fixed grid, (k + phase) / fps, so a 10 fps stream at 2 fps takes exactly every fifth
/// frame and does not drift, and cameras given different phases (see <see cref="CameraClock"/>) become due
/// at different moments instead of all at once. The first frame, and the first after a gap or after time
/// ran backwards (a looped file, a reopened stream), is taken at once; the next due time is then the first
/// grid point at least half an interval later.
/// </summary>
internal sealed class DetectRateGate
{
    private readonly TimeSpan _interval;
    private readonly double _phase;
    private TimeSpan? _due;
    private TimeSpan _last;

    /// <param name="fps">Detections per second; null or not positive takes every frame.</param>
    /// <param name="phase">Where in each interval the grid lies, as a fraction in [0, 1).</param>
    public DetectRateGate(double? fps, double phase = 0)
    {
        if (!double.IsFinite(phase) || phase < 0 || phase >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(phase), phase, "the phase is a fraction of the interval in [0, 1)");
        }

        _interval = IntervalOf(fps);
        _phase = phase;
    }

    /// <summary>1 / <paramref name="fps"/> in whole ticks; zero when every frame is taken.</summary>
    public static TimeSpan IntervalOf(double? fps) => fps is > 0 and var rate && double.IsFinite(rate)
        ? TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / rate))
        : TimeSpan.Zero;

    public bool Take(TimeSpan timestamp)
    {
        if (_interval == TimeSpan.Zero)
        {
            return true;
        }

        var previous = _last;
        _last = timestamp;
        if (_due is not { } due || timestamp < previous || timestamp - due >= _interval)
        {
            _due = CameraClock.GridPoint(timestamp + (_interval / 2), _interval, _phase);
            return true;
        }

        if (timestamp < due)
        {
            return false;
        }

        _due = due + _interval;
        return true;
    }
}
