namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// A polygon of the image: where motion is ignored (a camera's motion masks), or where the detections of one label
/// are dropped (a label filter's masks, by the bottom-centre of the box).
/// </summary>
public sealed class MaskOptions
{
    /// <summary>The outline as [x, y] pairs, at least 3, edges not crossing.</summary>
    public List<float[]> Points { get; set; } = [];

    /// <summary>True: fractions of the frame (0–1); false: pixels; null: fractions when every coordinate is within 0–1.</summary>
    public bool? Normalized { get; set; }
}
