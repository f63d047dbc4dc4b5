namespace EdgeVision.ModelTools.Quantization;

/// <summary>The calibrated real-valued range of one tensor.</summary>
public readonly record struct TensorRange(float Min, float Max)
{
    public TensorRange Union(TensorRange other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));
}

/// <summary>A fixed-range histogram of one tensor's values over the calibration set, for percentile ranges.</summary>
internal sealed class ValueHistogram
{
    private readonly long[] _bins;
    private readonly float _min;
    private readonly float _width;
    private long _total;

    public ValueHistogram(TensorRange range, int bins = 4096)
    {
        _bins = new long[bins];
        _min = range.Min;
        _width = Math.Max(range.Max - range.Min, 1e-12f) / bins;
    }

    public void Add(ReadOnlySpan<float> values)
    {
        var last = _bins.Length - 1;
        foreach (var v in values)
        {
            var bin = (int)((v - _min) / _width);
            _bins[Math.Clamp(bin, 0, last)]++;
        }

        _total += values.Length;
    }

    /// <summary>The range holding <paramref name="percent"/>% of the values, cut evenly from both tails.</summary>
    public TensorRange Range(double percent)
    {
        var tail = (long)Math.Floor(_total * (100 - percent) / 200);
        long seen = 0;
        var low = 0;
        while (low < _bins.Length - 1 && seen + _bins[low] <= tail)
        {
            seen += _bins[low++];
        }

        seen = 0;
        var high = _bins.Length - 1;
        while (high > low && seen + _bins[high] <= tail)
        {
            seen += _bins[high--];
        }

        return new TensorRange(_min + (low * _width), _min + ((high + 1) * _width));
    }
}
