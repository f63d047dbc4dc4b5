namespace EdgeVision.Pipeline.Analytics;

/// <summary>Which way a line was crossed, by the line's own definition of in and out.</summary>
public enum CaptionLineDirection
{
    In,
    Out,
}
