namespace EdgeVision.Pipeline.Analytics;

/// <summary>Where a track is in its life.</summary>
internal enum TrackState
{
    /// <summary>Seen, but not yet on enough consecutive frames to be reported; has no id.</summary>
    Tentative,

    /// <summary>Confirmed and continued by a detection on the last frame.</summary>
    Tracked,

    /// <summary>Confirmed, but no detection continued it on the last frame; coasting on its prediction.</summary>
    Lost,
}
