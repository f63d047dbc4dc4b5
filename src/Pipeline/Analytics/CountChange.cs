namespace EdgeVision.Pipeline.Analytics;

/// <summary>A count that differs from the value last reported for it.</summary>
/// <param name="Area">A zone or line name, or "all" for the whole view.</param>
/// <param name="Label">An object label, or "all" for every label together.</param>
/// <param name="Direction">For crossings, the direction counted; null for occupancy.</param>
public sealed record CountChange(string Camera, CountKind Kind, string Area, string Label, CrossingDirection? Direction, int Value)
{
    /// <summary>The area and label that stand for everything.</summary>
    public const string All = "all";
}
