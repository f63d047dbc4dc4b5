namespace EdgeVision.ModelTools.Quantization;

public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum of each tensor.</summary>
    MinMax,

    /// <summary>The lower and upper percentiles of each tensor's values, which clips rare outliers.</summary>
    Percentile,

    /// <summary>
    /// For each tensor, the range whose 8-bit grid gives the least expected squared error over the calibration
    /// values: the balance of clipping rare large values against rounding the common small ones.
    /// </summary>
    Mse,
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

    // The ones ONNX Runtime fuses into integer kernels on the CPU (QLinearConv, QLinearLeakyRelu, QLinearConcat,
    // QLinearAdd) or runs on 8-bit data directly (MaxPool).
    private static readonly string[] DefaultOpTypes = ["Conv", "LeakyRelu", "Concat", "Add", "MaxPool"];

    /// <summary>
    /// Op types whose output takes their input's scale and zero point, so that a runtime may drop their Q/DQ and
    /// run them on 8-bit data (ONNX Runtime 1.31 does for MaxPool, not for a bilinear Resize).
    /// </summary>
    public static IReadOnlySet<string> RangePreservingOpTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "MaxPool", "Resize", "Reshape", "Transpose", "Split",
    };

    /// <summary>Every op type the quantizer can put Q/DQ around: the defaults and the range-preserving ones.</summary>
    public static IReadOnlySet<string> SupportedOpTypes { get; } =
        new HashSet<string>([.. DefaultOpTypes, .. RangePreservingOpTypes], StringComparer.Ordinal);

    /// <summary>
    /// Op types that get Q/DQ; by default the ones ONNX Runtime runs in 8 bits. Resize is left in float: ONNX
    /// Runtime keeps it in float between Q/DQ anyway, and interpolating in 8 bits would only add error.
    /// </summary>
    public IReadOnlySet<string> QuantizedOpTypes { get; init; } = new HashSet<string>(DefaultOpTypes, StringComparer.Ordinal);
}
