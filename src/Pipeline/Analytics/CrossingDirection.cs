namespace EdgeVision.Pipeline.Analytics;

/// <summary>Which way a line was crossed, by the line's <see cref="LineOptions.InDirection"/>.</summary>
public enum CrossingDirection
{
    In,
    Out,
}
