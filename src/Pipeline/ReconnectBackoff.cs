namespace EdgeVision.Pipeline;

/// <summary>
/// Delays between attempts to reopen a source: the initial delay doubling per consecutive failure up to the
/// cap, each shortened by a random part of up to half, so that cameras behind one failed switch do not
/// all retry in the same instant.
/// </summary>
public sealed class ReconnectBackoff
{
    private const double JitterFraction = 0.5;

    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;

    /// <param name="random">Source of values in [0, 1) for the jitter; <see cref="Random.Shared"/> when null.</param>
    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Func<double>? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        _initial = initial;
        _max = max;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Consecutive failures since the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan NextDelay()
    {
        // 2^30 times any useful initial delay is past any useful cap; stop doubling there to avoid overflow.
        var exponent = Math.Min(Failures, 30);
        Failures++;
        var ticks = Math.Min((double)_max.Ticks, _initial.Ticks * Math.Pow(2, exponent));
        var jitter = 1.0 - JitterFraction * Math.Clamp(_random(), 0.0, 1.0);
        return TimeSpan.FromTicks((long)(ticks * jitter));
    }

    /// <summary>Called once the source delivers frames again.</summary>
    public void Reset() => Failures = 0;
}
