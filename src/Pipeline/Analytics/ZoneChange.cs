namespace EdgeVision.Pipeline.Analytics;

/// <summary>What a frame confirmed about a track's zones.</summary>
[Flags]
internal enum ZoneChange
{
    None = 0,
    Entered = 1,
    Left = 2,
}
