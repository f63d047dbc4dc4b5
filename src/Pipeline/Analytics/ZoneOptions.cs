namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// A polygon on a camera's image in which objects are counted and their dwell time measured. An object is in the
/// zone when the bottom-centre of its box (where it stands) is inside the outline or on it.
/// </summary>
public sealed class ZoneOptions
{
    /// <summary>Unique within the camera; becomes a topic level ([a-z0-9_-], not a reserved topic word).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The outline as [x, y] pairs, in order around the zone (either winding); at least 3, edges must not cross.</summary>
    public List<float[]> Points { get; set; } = [];

    /// <summary>
    /// True: coordinates are fractions of the frame's width and height (0–1), so the zone survives a change of
    /// resolution. False: source pixels. Null (the default): fractions when every coordinate is within 0–1, pixels otherwise.
    /// </summary>
    public bool? Normalized { get; set; }

    /// <summary>Labels counted in this zone; empty counts every label the camera reports.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>Lowest top score (best score of the track so far) an object needs to count here.</summary>
    public float MinScore { get; set; }

    /// <summary>Smallest box an object needs to count here: at most 1 is a fraction of the frame's area, above 1 is square pixels; 0 accepts all.</summary>
    public float MinArea { get; set; }
}
