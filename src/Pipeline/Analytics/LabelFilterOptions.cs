namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// What a detection of one label must be to count on a camera at all. A detection that fails is dropped before
/// tracking, zones, events and the detections topic, as if the detector had not seen it: a traffic cone taken for
/// a person, a reflection, a poster of a face.
/// </summary>
public sealed class LabelFilterOptions
{
    /// <summary>Lowest score the detection needs (0–1); 0 keeps the detector's own threshold.</summary>
    public float MinScore { get; set; }

    /// <summary>Smallest box: at most 1 is a fraction of the frame's area, above 1 square pixels; 0 accepts all.</summary>
    public float MinArea { get; set; }

    /// <summary>Largest box, in the same units as <see cref="MinArea"/>; 0 sets no limit.</summary>
    public float MaxArea { get; set; }

    /// <summary>Smallest width ÷ height of the box (a standing person is about 0.4); 0 sets no limit.</summary>
    public float MinRatio { get; set; }

    /// <summary>Largest width ÷ height of the box; 0 sets no limit.</summary>
    public float MaxRatio { get; set; }

    /// <summary>
    /// Parts of the image where this label is never real: a detection whose bottom-centre (where it stands, as
    /// for zones) is inside or on one of these polygons is dropped.
    /// </summary>
    public List<MaskOptions> Masks { get; set; } = [];
}
