namespace EdgeVision.Pipeline.Analytics;

/// <summary>What a camera sees at one moment, for periodic scene summaries. Labels with a count of 0 are left out.</summary>
/// <param name="InView">Objects in view by label.</param>
/// <param name="Zones">For each zone, objects inside by label (every zone is listed, empty ones too).</param>
/// <param name="Crossings">For each line, crossings since start by direction.</param>
internal sealed record SceneSummary(
    string Camera,
    DateTimeOffset At,
    IReadOnlyDictionary<string, int> InView,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Zones,
    IReadOnlyDictionary<string, IReadOnlyDictionary<CrossingDirection, int>> Crossings);
