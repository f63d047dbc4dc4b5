namespace EdgeVision.ModelTools.Quantization;

public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum of each tensor.</summary>
    MinMax,

    /// <summary>The lower and upper percentiles of each tensor's values, which clips rare outliers.</summary>
    Percentile,
}

/// <summary>8-bit type of the activations; weights are always symmetric per-channel int8.</summary>
public enum ActivationType
{
    /// <summary>U8S8: the pairing the x86 VNNI dot-product instructions take natively.</summary>
    UInt8,

    /// <summary>S8S8: what TensorRT and most NPUs expect.</summary>
    Int8,
}

public sealed record QuantizationOptions
{
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the share of values kept inside the range, in percent.</summary>
    public double Percentile { get; init; } = 99.999;

    public ActivationType Activations { get; init; } = ActivationType.UInt8;

    /// <summary>Nodes (by name) left in float, for example a detector's output heads.</summary>
    public IReadOnlySet<string> KeepFloatNodes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Op types that get Q/DQ: the ones ONNX Runtime fuses into integer kernels on the CPU (QLinearConv,
    /// QLinearLeakyRelu, QLinearConcat, QLinearAdd) or runs on 8-bit data directly (MaxPool). Resize is left
    /// in float: the four upsamplings of an FPN are cheap, and interpolating in 8 bits would only add error.
    /// </summary>
    public IReadOnlySet<string> QuantizedOpTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Conv", "LeakyRelu", "Concat", "Add", "MaxPool",
    };

    /// <summary>
    /// Every op type the quantizer can put Q/DQ around: the defaults, and the ops that pass their input's scale
    /// on (Resize, Reshape, Transpose, Split), which ONNX Runtime then runs on 8-bit data.
    /// </summary>
    public static IReadOnlySet<string> SupportedOpTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Conv", "LeakyRelu", "Concat", "Add", "MaxPool", "Resize", "Reshape", "Transpose", "Split",
    };
}
