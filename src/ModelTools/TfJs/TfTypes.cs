using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs;

/// <summary>TF data type names (DT_FLOAT, ...) to ONNX element types.</summary>
internal static class TfTypes
{
    public static ElementType ToElementType(string? tfType, TfNode node) => tfType switch
    {
        "DT_FLOAT" => ElementType.Float,
        "DT_INT32" => ElementType.Int32,
        "DT_INT64" => ElementType.Int64,
        "DT_BOOL" => ElementType.Bool,
        "DT_UINT8" => ElementType.UInt8,
        "DT_INT8" => ElementType.Int8,
        _ => throw ConversionContext.Fail(node, $"data type '{tfType}' is not supported"),
    };
}
