namespace EdgeVision.Pipeline.Analytics;

/// <summary>How many objects of one label.</summary>
public sealed record LabelCount(string Label, int Count);
