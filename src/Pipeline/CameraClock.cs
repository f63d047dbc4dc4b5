using System.Diagnostics;

namespace EdgeVision.Pipeline;

/// <summary>
/// The time base a camera shares with the other cameras of its pipeline, and its phase in it. Live sources
/// time their frames from <see cref="Epoch"/>, paced files release frames on the grid
/// (k + <see cref="Phase"/>) / fps, and the detect rate picks frames on the same kind of grid. Camera i of n
/// gets phase i / n, so cameras with the same rate hand frames to inference evenly spread through each
/// interval instead of all at once: with one inference stage, frames that arrive together wait for each
/// other, and at high load that wait is most of the latency.
/// </summary>
public sealed record CameraClock(long Epoch, double Phase)
{
    /// <summary>A clock of its own, starting now, phase 0: for a camera outside a pipeline.</summary>
    public static CameraClock StartNew() => new(Stopwatch.GetTimestamp(), 0);

    /// <summary>Phases i / n for <paramref name="count"/> cameras (or all 0 when not staggered) on one epoch, starting now.</summary>
    public static CameraClock[] ForCameras(int count, bool stagger)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var epoch = Stopwatch.GetTimestamp();
        return [.. Enumerable.Range(0, count).Select(i => new CameraClock(epoch, stagger ? (double)i / count : 0))];
    }

    /// <summary>Time since the epoch.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(Epoch);

    /// <summary>The first point of this camera's grid for <paramref name="interval"/> at or after <paramref name="time"/> (time since the epoch).</summary>
    public TimeSpan GridPointFrom(TimeSpan time, TimeSpan interval) => GridPoint(time, interval, Phase);

    /// <summary>The first of the points (k + <paramref name="phase"/>) × <paramref name="interval"/> at or after <paramref name="time"/>.</summary>
    public static TimeSpan GridPoint(TimeSpan time, TimeSpan interval, double phase)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var offset = interval * phase;
        var k = (long)Math.Ceiling((double)(time - offset).Ticks / interval.Ticks);
        return offset + (interval * k);
    }
}
