using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Pad, PadV2 (with a constant value) and MirrorPad (REFLECT).</summary>
internal sealed class PadMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Pad", "PadV2", "MirrorPad"];

    public void Map(TfNode node, ConversionContext context)
    {
        var paddings = context.RequireConstant(node, 1, "paddings").ToLongArray();
        var rank = paddings.Length / 2;

        // TF: [[begin0, end0], [begin1, end1], ...]; ONNX: [begin0, begin1, ..., end0, end1, ...].
        var pads = new long[paddings.Length];
        for (var i = 0; i < rank; i++)
        {
            pads[i] = paddings[2 * i];
            pads[rank + i] = paddings[(2 * i) + 1];
        }

        var inputs = new List<string> { context.Value(node, 0), context.AddInitializer(TensorData.FromInt64(pads), $"{node.Name}/pads") };
        var mode = "constant";
        if (node.Op == "PadV2")
        {
            var value = context.RequireConstant(node, 2, "constant value");
            inputs.Add(context.AddInitializer(TensorData.Scalar((float)value.GetAsDouble(0)), $"{node.Name}/value"));
        }
        else if (node.Op == "MirrorPad")
        {
            var tfMode = node.GetString("mode");
            mode = tfMode == "REFLECT" ? "reflect" : throw ConversionContext.Fail(node, $"MirrorPad mode '{tfMode}' is not supported (only REFLECT)");
        }

        context.SetOutput(node, 0, context.Emit("Pad", node.Name, inputs, ("mode", mode)), context.BatchAxis(node, 0));
    }
}
