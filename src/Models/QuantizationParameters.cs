namespace EdgeVision.Models;

/// <summary>
/// How a uint8 tensor encodes real values: real = (q − <see cref="ZeroPoint"/>) × <see cref="Scale"/>, as in ONNX's
/// QuantizeLinear and DequantizeLinear. <see cref="Identity"/> (scale 1, zero point 0) is a plain byte.
/// </summary>
public readonly record struct QuantizationParameters(float Scale, int ZeroPoint)
{
    public static QuantizationParameters Identity { get; } = new(1f, 0);

    /// <summary>The byte ONNX Runtime's QuantizeLinear gives <paramref name="value"/>: rounded half to even, saturated to 0–255.</summary>
    public byte Quantize(float value) =>
        (byte)Math.Clamp(MathF.Round(value / Scale, MidpointRounding.ToEven) + ZeroPoint, 0f, 255f);
}
