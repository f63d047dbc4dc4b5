namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// A counting line from <see cref="A"/> to <see cref="B"/>. An object crosses it when the bottom-centre of its box
/// passes through the segment from one side to the other.
/// </summary>
/// <remarks>
/// Sides are named as seen on the displayed image, standing at A and facing B: with A at the top and B at the bottom
/// of a vertical line, the left side is the right half of the picture. With the default
/// <see cref="InDirection"/> "left-to-right", a crossing from the left side to the right side counts as "in" and the
/// reverse as "out"; "right-to-left" swaps them. Swapping A and B has the same effect.
/// </remarks>
public sealed class LineOptions
{
    public const string LeftToRight = "left-to-right";

    public const string RightToLeft = "right-to-left";

    /// <summary>Unique within the camera, across zones and lines; becomes a topic level ([a-z0-9_-], not a reserved topic word).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Start of the segment as [x, y].</summary>
    public float[] A { get; set; } = [];

    /// <summary>End of the segment as [x, y].</summary>
    public float[] B { get; set; } = [];

    /// <summary>As <see cref="ZoneOptions.Normalized"/>: fractions of the frame (true), pixels (false) or detected from the values (null).</summary>
    public bool? Normalized { get; set; }

    /// <summary>"left-to-right" or "right-to-left": which crossing counts as "in".</summary>
    public string InDirection { get; set; } = LeftToRight;

    /// <summary>Labels counted on this line; empty counts every label the camera reports.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>Lowest top score an object needs for its crossing to count.</summary>
    public float MinScore { get; set; }

    /// <summary>Smallest box, as in <see cref="ZoneOptions.MinArea"/>, measured on the frame of the crossing.</summary>
    public float MinArea { get; set; }
}
