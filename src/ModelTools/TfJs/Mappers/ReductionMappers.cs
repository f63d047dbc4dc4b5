using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Mean, Sum, Max, Min, Prod over constant axes.</summary>
internal sealed class ReductionMapper : ITfOpMapper
{
    private static readonly Dictionary<string, string> OnnxOps = new(StringComparer.Ordinal)
    {
        ["Mean"] = "ReduceMean", ["Sum"] = "ReduceSum", ["Max"] = "ReduceMax", ["Min"] = "ReduceMin", ["Prod"] = "ReduceProd",
    };

    public IReadOnlyList<string> Ops { get; } = [.. OnnxOps.Keys];

    public void Map(TfNode node, ConversionContext context)
    {
        var axes = context.RequireConstant(node, 1, "axes").ToLongArray();
        var keepDims = node.GetBool("keep_dims", false);
        var axesValue = context.AddInitializer(TensorData.FromInt64(axes), $"{node.Name}/axes");
        var batch = context.BatchAxis(node, 0) == 0 && !axes.Contains(0) ? 0 : (int?)null;
        context.SetOutput(node, 0, context.Emit(OnnxOps[node.Op], node.Name, [context.Value(node, 0), axesValue], ("keepdims", keepDims ? 1L : 0L)), batch);
    }
}
