namespace EdgeVision.Models;

/// <summary>The manifest's "decoder" section: which family decodes the outputs and with what parameters.</summary>
public sealed class DecoderSpec
{
    public const string NanoDet = "nanodet";
    public const string YoloV5 = "yolov5";
    public const string YoloV8 = "yolov8";

    /// <summary>Every family a manifest may name; a family listed here may still lack a decoder in this build.</summary>
    public static IReadOnlyList<string> KnownFamilies { get; } = [NanoDet, YoloV5, YoloV8];

    public string? Family { get; init; }

    /// <summary>NanoDet: the strides of the head's levels, e.g. [8, 16, 32].</summary>
    public int[]? Strides { get; init; }

    /// <summary>NanoDet: the last bin index of a side's distribution (bins = reg_max + 1).</summary>
    public int? RegMax { get; init; }

    public DecoderOutputSpec[]? Outputs { get; init; }
}
