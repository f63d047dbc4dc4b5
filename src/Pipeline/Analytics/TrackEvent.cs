namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// One message about a tracked object: "new" once it qualifies, "update" when something meaningful changed
/// (<see cref="Changes"/>), "end" when the tracker lets it go. Every message carries the whole current state, so a
/// reader that missed some can rebuild the object from the latest one.
/// </summary>
public sealed record TrackEvent
{
    /// <summary>
    /// This message's own id: the object's id and the message's number for that object ("…-1" is "new"). Unique
    /// across objects, cameras and restarts, and the same when the message is sent again, so downstream
    /// de-duplicates by it alone.
    /// </summary>
    public required string EventId { get; init; }

    /// <summary>Camera, track id and first-seen ticks: the same in every message about one object (new, updates, end).</summary>
    public required string ObjectId { get; init; }

    /// <summary>Per camera, one more than the camera's previous message, whatever the track.</summary>
    public required long Seq { get; init; }

    /// <summary>The numbering <see cref="Seq"/> belongs to: a new epoch means it started again at 1 (its state was lost); null where numbering is not kept across restarts.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? SeqEpoch { get; init; }

    /// <summary>Which start of the agent sent this: a change with a gap in <see cref="Seq"/> is a restart (after a crash, numbers reserved but never used), not lost messages.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? SeqBoot { get; init; }

    public required TrackEventType Type { get; init; }

    /// <summary>What caused this message; <see cref="TrackChanges.None"/> for "new" and "end".</summary>
    public required TrackChanges Changes { get; init; }

    public required string Camera { get; init; }

    public required int TrackId { get; init; }

    public required string Label { get; init; }

    /// <summary>Score of the latest matched detection.</summary>
    public required float Score { get; init; }

    /// <summary>Best score of the track so far.</summary>
    public required float TopScore { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastSeen { get; init; }

    public required BoxF Box { get; init; }

    public required bool IsStationary { get; init; }

    public required ObjectColours? Colours { get; init; }

    /// <summary>Pixels per second.</summary>
    public required float Speed { get; init; }

    public required SpeedClass SpeedClass { get; init; }

    /// <summary>"up", "down-left", … as on the image (<see cref="MotionDescription.DirectionOf"/>); null when stationary.</summary>
    public required string? Direction { get; init; }

    /// <summary>Zones the object is in now (for "end": the zones it was in when it ended).</summary>
    public required IReadOnlyList<string> CurrentZones { get; init; }

    /// <summary>Zones the object has been in at some point, in the camera's zone order.</summary>
    public required IReadOnlyList<string> EnteredZones { get; init; }

    /// <summary>Every counted crossing of the object, oldest first.</summary>
    public required IReadOnlyList<LineCrossing> LineCrossings { get; init; }

    /// <summary>Seconds spent in each entered zone, over all visits.</summary>
    public required IReadOnlyDictionary<string, double> ZoneDwellSeconds { get; init; }

    /// <summary>Seconds from first to last sight.</summary>
    public required double DwellSeconds { get; init; }

    /// <summary>The current detection is the best view so far (score × box area beat the previous best by the configured margin); grab a snapshot.</summary>
    public required bool BetterSnapshot { get; init; }

    /// <summary>A sentence about the object, filled in by a captioner downstream; null until then.</summary>
    public string? Caption { get; init; }
}
