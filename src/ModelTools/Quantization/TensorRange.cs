namespace EdgeVision.ModelTools.Quantization;

/// <summary>The calibrated real-valued range of one tensor.</summary>
public readonly record struct TensorRange(float Min, float Max)
{
    public TensorRange Union(TensorRange other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));
}

/// <summary>A fixed-range histogram of one tensor's values over the calibration set, for percentile and least-error ranges.</summary>
internal sealed class ValueHistogram
{
    private readonly long[] _bins;
    private readonly float _min;
    private readonly float _width;
    private long _total;

    // Exact zeros (a Relu's whole negative half) are counted apart: every 8-bit grid holds zero exactly, so they
    // cost no rounding error whatever the range.
    private long _zeros;

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
            if (v == 0)
            {
                _zeros++;
            }

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

    /// <summary>
    /// The range, containing zero, whose <paramref name="levels"/>-step grid gives the least expected squared error
    /// over the recorded values: values outside are clipped to the nearest end (error: their distance to it), values
    /// inside are rounded (error: a twelfth of the squared step, as for a uniform rounding error), exact zeros cost
    /// nothing. Every pair of bin edges on either side of zero is tried.
    /// </summary>
    public TensorRange LeastErrorRange(int levels = 256)
    {
        var n = _bins.Length;

        // Prefix sums of count, count × centre and count × centre² (centres relative to the histogram's start, in
        // bin widths, so the sums stay well conditioned); zeros taken out of the bin holding them.
        var count = new double[n + 1];
        var first = new double[n + 1];
        var second = new double[n + 1];
        var zeroBin = _min <= 0 && _min + (n * _width) >= 0 ? Math.Clamp((int)(-_min / _width), 0, n - 1) : -1;
        for (var i = 0; i < n; i++)
        {
            double c = i + 0.5, k = _bins[i] - (i == zeroBin ? _zeros : 0);
            count[i + 1] = count[i] + k;
            first[i + 1] = first[i] + (k * c);
            second[i + 1] = second[i] + (k * c * c);
        }

        // Edges (in bin widths) where the range may end: from the zero bin's edges outwards.
        var zeroEdge = -_min / _width;
        var lowEdges = Enumerable.Range(0, n + 1).Where(e => e <= zeroEdge).DefaultIfEmpty((int)Math.Floor(zeroEdge)).ToArray();
        var highEdges = Enumerable.Range(0, n + 1).Where(e => e >= zeroEdge).DefaultIfEmpty((int)Math.Ceiling(zeroEdge)).ToArray();
        double best = double.PositiveInfinity;
        (int Low, int High) choice = (0, n);
        foreach (var low in lowEdges)
        {
            // Values in bins below `low` are clipped up to it.
            var lowEnd = Math.Max(low, 0);
            var below = second[lowEnd] - (2 * low * first[lowEnd]) + ((double)low * low * count[lowEnd]);
            foreach (var high in highEdges)
            {
                if (high <= low)
                {
                    continue;
                }

                var highStart = Math.Min(high, n);
                var above = (second[n] - second[highStart]) - (2 * high * (first[n] - first[highStart])) + ((double)high * high * (count[n] - count[highStart]));
                var step = (double)(high - low) / (levels - 1);
                var inside = count[highStart] - count[lowEnd];
                var error = below + above + (inside * step * step / 12);
                if (error < best)
                {
                    best = error;
                    choice = (low, high);
                }
            }
        }

        return new TensorRange(Math.Min(0f, _min + (choice.Low * _width)), Math.Max(0f, _min + (choice.High * _width)));
    }
}
