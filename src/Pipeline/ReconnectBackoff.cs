namespace EdgeVision.Pipeline;

/// <summary>
/// The one retry policy of the agent (camera reconnects, the MQTT session, publish retries): the initial delay
/// doubling per consecutive failure up to the cap, each scaled by a random factor so that clients that failed
/// together do not all retry in the same instant. Cameras take ½–1× (never later than the schedule), the MQTT
/// session 0.8–1.2×, publish retries no jitter.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;
    private readonly double _lowest;
    private readonly double _highest;

    /// <param name="random">Source of values in [0, 1] for the jitter; <see cref="Random.Shared"/> when null.</param>
    /// <param name="lowest">The factor a delay is scaled by when the random value is 1.</param>
    /// <param name="highest">The factor a delay is scaled by when the random value is 0.</param>
    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Func<double>? random = null, double lowest = 0.5, double highest = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfNegative(lowest);
        ArgumentOutOfRangeException.ThrowIfLessThan(highest, lowest);
        _initial = initial;
        _max = max;
        _random = random ?? Random.Shared.NextDouble;
        _lowest = lowest;
        _highest = highest;
    }

    /// <summary>No jitter: exactly initial, 2×, 4× … up to the cap.</summary>
    public static ReconnectBackoff Exact(TimeSpan initial, TimeSpan max) => new(initial, max, static () => 0, 1, 1);

    /// <summary>Consecutive failures since the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan NextDelay()
    {
        // 2^30 times any useful initial delay is past any useful cap; stop doubling there to avoid overflow.
        var exponent = Math.Min(Failures, 30);
        Failures++;
        var ticks = Math.Min((double)_max.Ticks, _initial.Ticks * Math.Pow(2, exponent));
        var jitter = _highest - ((_highest - _lowest) * Math.Clamp(_random(), 0.0, 1.0));
        return TimeSpan.FromTicks((long)(ticks * jitter));
    }

    /// <summary>Called once the source delivers frames again.</summary>
    public void Reset() => Failures = 0;
}
