namespace EdgeVision.Models;

/// <summary>The manifest's "decoder" section: which family decodes the outputs and with what parameters.</summary>
public sealed class DecoderSpec
{
    public const string NanoDet = "nanodet";
    public const string YoloV5 = "yolov5";
    public const string YoloV8 = "yolov8";

    /// <summary>End-to-end (NMS-free) exports: <c>[N, K, 6]</c> rows of x1, y1, x2, y2, score, class.</summary>
    public const string EndToEnd = "e2e";

    /// <summary>CenterNet: a heat map of class scores and a map of box sides at one stride; objects are the heat map's peaks.</summary>
    public const string CenterNet = "centernet";

    /// <summary>Every family a manifest may name.</summary>
    public static IReadOnlyList<string> KnownFamilies { get; } = [NanoDet, YoloV5, YoloV8, EndToEnd, CenterNet];

    public string? Family { get; init; }

    /// <summary>NanoDet: the strides of the head's levels, e.g. [8, 16, 32].</summary>
    public int[]? Strides { get; init; }

    /// <summary>NanoDet: the last bin index of a side's distribution (bins = reg_max + 1).</summary>
    public int? RegMax { get; init; }

    public DecoderOutputSpec[]? Outputs { get; init; }

    /// <summary>
    /// YOLO and end-to-end: the rows of the single output (boxes for YOLOv5/YOLOv8, K for end-to-end). For YOLO,
    /// when absent, the count the strides give for the input size (YOLOv5: three anchors per cell). CenterNet: the
    /// most peaks one image keeps (default 100).
    /// </summary>
    public int? Boxes { get; init; }
}
