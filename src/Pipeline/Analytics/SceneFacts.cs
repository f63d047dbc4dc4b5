namespace EdgeVision.Pipeline.Analytics;

/// <summary>What a camera sees at one moment: objects in view by label, and per zone.</summary>
public sealed record SceneFacts(IReadOnlyList<LabelCount> InView, IReadOnlyList<ZoneOccupancy> Zones);
