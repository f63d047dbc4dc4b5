namespace EdgeVision.Pipeline.Analytics;

/// <summary>A counted crossing of a line by a track, with the label it was counted under and the time of the confirming frame.</summary>
public sealed record LineCrossing(string Line, CrossingDirection Direction, string Label, DateTimeOffset At);
