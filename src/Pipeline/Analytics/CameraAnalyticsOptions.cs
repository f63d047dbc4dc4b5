namespace EdgeVision.Pipeline.Analytics;

/// <summary>Zones, lines and event rules of one camera.</summary>
public sealed class CameraAnalyticsOptions
{
    /// <summary>Objects keep an identity across frames: events, dwell times and line crossings.</summary>
    public const string TrackMode = "track";

    /// <summary>Each frame stands alone: only counts of what is in view and in zones; no events, no lines.</summary>
    public const string DetectOnlyMode = "detect-only";

    /// <summary>"track" (default) or "detect-only".</summary>
    public string Mode { get; set; } = TrackMode;

    /// <summary>Labels this camera reports at all; empty reports every label of the model.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>Top score a track must reach before its "new" event and before it is counted.</summary>
    public float MinScore { get; set; }

    /// <summary>
    /// Per label (e.g. "person"): the score, size, shape and places a detection of that label needs to count on
    /// this camera at all; the others are dropped before anything else sees them (counted as filtered).
    /// </summary>
    public Dictionary<string, LabelFilterOptions> Filters { get; set; } = new(StringComparer.Ordinal);

    public List<ZoneOptions> Zones { get; set; } = [];

    /// <summary>How often a scene summary caption is made; zero turns summaries off.</summary>
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(30);

    public List<LineOptions> Lines { get; set; } = [];

    /// <summary>
    /// Consecutive frames an object must be inside a zone before it counts as entered. A track's first frame is
    /// taken as it is; the rule only damps changes, so a box jittering across an edge does not flap membership.
    /// </summary>
    public int ZoneEnterFrames { get; set; } = 3;

    /// <summary>Consecutive frames an object must be outside a zone before it counts as having left.</summary>
    public int ZoneLeaveFrames { get; set; } = 3;

    /// <summary>
    /// Half-width of the band around a line, as a fraction of the object's box height (at least 2 px): a side
    /// counts only once the bottom-centre is beyond the band, so feet jittering on the line cross nothing.
    /// </summary>
    public float LineMargin { get; set; } = 0.1f;

    /// <summary>How much score × box area must beat the best so far (0.25 = 25 % more) to flag a better snapshot.</summary>
    public float BetterSnapshotMargin { get; set; } = 0.25f;

    /// <summary>Shortest time between two updates sent only for a better snapshot, by frame timestamps.</summary>
    public TimeSpan BetterSnapshotInterval { get; set; } = TimeSpan.FromSeconds(1);
}
