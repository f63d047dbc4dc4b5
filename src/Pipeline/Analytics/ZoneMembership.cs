namespace EdgeVision.Pipeline.Analytics;

/// <summary>One track's standing in each zone of its camera, indexed like <see cref="ZoneTracker"/>'s zones.</summary>
internal sealed class ZoneMembership
{
    internal readonly bool[] Inside;
    internal readonly bool[] Entered;
    internal readonly int[] Streak;
    internal readonly TimeSpan[] StreakSince;
    internal readonly TimeSpan[] EnteredAt;
    internal readonly TimeSpan[] Dwell;

    internal ZoneMembership(int zones)
    {
        Inside = new bool[zones];
        Entered = new bool[zones];
        Streak = new int[zones];
        StreakSince = new TimeSpan[zones];
        EnteredAt = new TimeSpan[zones];
        Dwell = new TimeSpan[zones];
    }

    /// <summary>Whether the track counts as inside (after hysteresis).</summary>
    public bool IsInside(int zone) => Inside[zone];

    /// <summary>Whether the track has ever counted as inside.</summary>
    public bool HasEntered(int zone) => Entered[zone];

    /// <summary>Time spent inside up to <paramref name="now"/>, over every visit.</summary>
    public TimeSpan DwellAt(int zone, TimeSpan now) => Inside[zone] ? Dwell[zone] + (now - EnteredAt[zone]) : Dwell[zone];
}
