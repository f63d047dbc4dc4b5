namespace EdgeVision.Pipeline.Analytics;

public enum CountKind
{
    /// <summary>Objects present now, in a zone or (area "all") anywhere in view.</summary>
    Occupancy,

    /// <summary>Crossings of a line in one direction since the agent started.</summary>
    Crossings,
}
