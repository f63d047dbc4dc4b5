namespace EdgeVision.Pipeline.Analytics;

/// <summary>Why an update was sent; several may come together. Nothing else (position, speed) causes one.</summary>
[Flags]
public enum TrackChanges
{
    None = 0,
    EnteredZone = 1,
    LeftZone = 2,
    CrossedLine = 4,
    StationaryChanged = 8,
    LabelChanged = 16,
    BetterSnapshot = 32,
}
