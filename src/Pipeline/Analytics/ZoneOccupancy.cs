namespace EdgeVision.Pipeline.Analytics;

/// <summary>The objects inside one zone, counted by label.</summary>
public sealed record ZoneOccupancy(string Zone, IReadOnlyList<LabelCount> Counts);
