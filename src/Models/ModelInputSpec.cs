namespace EdgeVision.Models;

/// <summary>The manifest's "input" section: the tensor a model takes and how pixels become its values.</summary>
public sealed class ModelInputSpec
{
    public string? Name { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>Only "NCHW" today.</summary>
    public string? Layout { get; init; }

    /// <summary>"BGR" or "RGB": the order of the three planes.</summary>
    public string? ChannelOrder { get; init; }

    /// <summary>Per plane, in <see cref="ChannelOrder"/>, subtracted from the 0–255 pixel value.</summary>
    public float[]? Mean { get; init; }

    /// <summary>Per plane, in <see cref="ChannelOrder"/>, dividing the pixel value after the mean.</summary>
    public float[]? Std { get; init; }

    /// <summary>The grey level (0–255) of the letterbox padding; 0 when absent. YOLO exports expect 114.</summary>
    public int? PadValue { get; init; }

    /// <summary>
    /// True when the graph normalizes by itself; the letterbox then feeds raw 0–255 values.
    /// </summary>
    public bool? NormalizationInGraph { get; init; }
}
