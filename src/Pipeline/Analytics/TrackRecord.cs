namespace EdgeVision.Pipeline.Analytics;

/// <summary>What the event builder remembers about one track between frames.</summary>
internal sealed class TrackRecord(int trackId)
{
    public int TrackId { get; } = trackId;

    /// <summary>Set when the track first met the camera's label and score rules; nothing is reported before.</summary>
    public bool Qualified { get; set; }

    /// <summary>Camera, track id and first-seen ticks: names the object in every message about it, across restarts.</summary>
    public string ObjectId { get; set; } = string.Empty;

    /// <summary>Messages sent about this object so far; numbers its event ids.</summary>
    public int Events { get; set; }

    public string Label { get; set; } = string.Empty;

    public float TopScore { get; set; }

    public bool IsStationary { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public TimeSpan FirstSeenAt { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public TimeSpan LastSeenAt { get; set; }

    public TrackSnapshot? Latest { get; set; }

    /// <summary>Best score × box area of a matched detection so far.</summary>
    public float BestView { get; set; }

    public TimeSpan BestViewAt { get; set; }

    public ZoneMembership? Zones { get; set; }

    public LinePassage? Lines { get; set; }

    public List<LineCrossing> Crossings { get; } = [];

    /// <summary>Number of the last frame that listed this track.</summary>
    public long SeenOnFrame { get; set; }
}
