namespace EdgeVision.Pipeline;

/// <summary>
/// Durations of one stage over a stats interval: exact count, mean and maximum, and percentiles from a
/// uniform random sample of at most <c>capacity</c> values (reservoir sampling), so memory stays fixed
/// however many frames pass. Thread-safe; <see cref="TakeInterval"/> starts the next interval.
/// </summary>
internal sealed class LatencyReservoir
{
    private readonly double[] _samples;
    private readonly double[] _sorted;
    private readonly Random _random;
    private long _count;
    private double _sum;
    private double _max;

    public LatencyReservoir(string stage, int capacity = 1024, int seed = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(stage);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Stage = stage;
        _samples = new double[capacity];
        _sorted = new double[capacity];
        _random = new Random(seed);
    }

    public string Stage { get; }

    public int Capacity => _samples.Length;

    public void Record(double milliseconds)
    {
        lock (_samples)
        {
            if (_count < _samples.Length)
            {
                _samples[_count] = milliseconds;
            }
            else
            {
                // Algorithm R: the n-th value replaces a random sample with probability capacity / n.
                var slot = _random.NextInt64(_count + 1);
                if (slot < _samples.Length)
                {
                    _samples[slot] = milliseconds;
                }
            }

            _count++;
            _sum += milliseconds;
            _max = Math.Max(_max, milliseconds);
        }
    }

    /// <summary>Summarizes the values recorded since the previous call and clears them.</summary>
    public StageLatency TakeInterval()
    {
        lock (_samples)
        {
            var count = _count;
            var kept = (int)Math.Min(count, _samples.Length);
            var sorted = _sorted.AsSpan(0, kept);
            _samples.AsSpan(0, kept).CopyTo(sorted);
            sorted.Sort();
            var result = new StageLatency(
                Stage,
                count == 0 ? 0 : _sum / count,
                Percentile(sorted, 50),
                Percentile(sorted, 99),
                _max)
            {
                Count = count,
            };
            _count = 0;
            _sum = 0;
            _max = 0;
            return result;
        }
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="percent"/> % of the sample at or below it.</summary>
    private static double Percentile(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
