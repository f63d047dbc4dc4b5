namespace EdgeVision.Models;

/// <summary>The manifest's "input" section: the tensor a model takes and how pixels become its values.</summary>
public sealed class ModelInputSpec
{
    public string? Name { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>"NCHW" (planes) or "NHWC" (interleaved channels).</summary>
    public string? Layout { get; init; }

    /// <summary>"float32" (the default when absent) or "uint8".</summary>
    public string? ElementType { get; init; }

    /// <summary>
    /// For a uint8 input: how its bytes encode the normalized values (a quantized model whose input quantization
    /// is done by the preprocessing). Absent, a uint8 input takes the normalized values as plain bytes.
    /// </summary>
    public ModelInputQuantization? Quantization { get; init; }

    /// <summary>
    /// NHWC only: 2 when each 2×2 pixel block is one position of 12 channels (tensor [N, H/2, W/2, 12], channel
    /// (dy·2 + dx)·3 + c), the form a model whose first stride-2 convolution was folded into its input takes; 1 or
    /// absent for one pixel per position.
    /// </summary>
    public int? SpaceToDepth { get; init; }

    /// <summary>The block size, 1 when absent; call after validation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int BlockSize => SpaceToDepth ?? 1;

    /// <summary>The tensor shape of one image (without the batch axis), as laid out; call after validation.</summary>
    public int[] ItemShape() => TensorLayout == TensorLayout.Nhwc
        ? [Height!.Value / BlockSize, Width!.Value / BlockSize, 3 * BlockSize * BlockSize]
        : [3, Height!.Value, Width!.Value];

    /// <summary>The layout as an enum; call after validation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TensorLayout TensorLayout => Layout == "NHWC" ? TensorLayout.Nhwc : TensorLayout.Nchw;

    /// <summary>True for a uint8 input; call after validation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsUInt8 => ElementType == "uint8";

    /// <summary>The quantization of a uint8 input (the identity when the manifest gives none); call after validation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public QuantizationParameters QuantizationParameters =>
        Quantization is { Scale: { } scale, ZeroPoint: { } zeroPoint } ? new QuantizationParameters(scale, zeroPoint) : QuantizationParameters.Identity;

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

/// <summary>The manifest's "input.quantization": real = (byte − zero_point) × scale.</summary>
public sealed class ModelInputQuantization
{
    public float? Scale { get; init; }

    public int? ZeroPoint { get; init; }
}
