namespace EdgeVision.Models;

/// <summary>What the decoders need from their per-class score thresholds.</summary>
internal static class ScoreThresholds
{
    /// <summary>The lowest of the thresholds: a score under it passes no class (+∞ when there are none).</summary>
    public static float Lowest(ReadOnlySpan<float> thresholds)
    {
        var lowest = float.PositiveInfinity;
        foreach (var threshold in thresholds)
        {
            lowest = MathF.Min(lowest, threshold);
        }

        return lowest;
    }
}
