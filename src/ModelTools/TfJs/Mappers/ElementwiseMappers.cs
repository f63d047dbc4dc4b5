using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Binary element-wise ops with NumPy broadcasting, the same in TF and ONNX.</summary>
public sealed class BinaryElementwiseMapper : ITfOpMapper
{
    private static readonly Dictionary<string, string> OnnxOps = new(StringComparer.Ordinal)
    {
        ["Add"] = "Add", ["AddV2"] = "Add", ["Sub"] = "Sub", ["Mul"] = "Mul", ["RealDiv"] = "Div",
        ["Maximum"] = "Max", ["Minimum"] = "Min", ["Pow"] = "Pow",
    };

    public IReadOnlyList<string> Ops { get; } = [.. OnnxOps.Keys, "SquaredDifference"];

    public void Map(TfNode node, ConversionContext context)
    {
        var a = Operand(node, context, 0);
        var b = Operand(node, context, 1);
        string output;
        if (node.Op == "SquaredDifference")
        {
            var difference = context.Emit("Sub", $"{node.Name}/sub", [a, b]);
            output = context.Emit("Mul", node.Name, [difference, difference]);
        }
        else
        {
            output = context.Emit(OnnxOps[node.Op], node.Name, [a, b]);
        }

        context.SetOutput(node, 0, output, context.BatchAxis(node, 0) ?? context.BatchAxis(node, 1));
    }

    /// <summary>Constants join the graph as float initializers when the other operand is a float tensor.</summary>
    private static string Operand(TfNode node, ConversionContext context, int index)
    {
        var constant = context.TryGetConstant(node, index);
        if (constant is null || constant.IsFloat || node.GetTypeAttribute("T") is not "DT_FLOAT")
        {
            return context.Value(node, index);
        }

        return context.AddInitializer(constant.CastTo(ElementType.Float), $"{node.Name}/const{index}");
    }
}

/// <summary>BiasAdd: adds a per-channel bias on the channel axis of the node's data format.</summary>
public sealed class BiasAddMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["BiasAdd"];

    public void Map(TfNode node, ConversionContext context)
    {
        var bias = context.TryGetConstant(node, 1);
        string biasValue;
        if (!Layout.IsNhwc(node) && bias is not null)
        {
            biasValue = context.AddInitializer(bias.WithShape(bias.Count, 1, 1), $"{node.Name}/bias");
        }
        else if (Layout.IsNhwc(node))
        {
            biasValue = context.Value(node, 1);
        }
        else
        {
            throw ConversionContext.Fail(node, "an NCHW BiasAdd needs a constant bias");
        }

        context.SetOutput(node, 0, context.Emit("Add", node.Name, [context.Value(node, 0), biasValue]), context.BatchAxis(node, 0));
    }
}

/// <summary>Cast of a tensor computed at run time.</summary>
public sealed class CastMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Cast"];

    public void Map(TfNode node, ConversionContext context)
    {
        var to = TfTypes.ToElementType(node.GetTypeAttribute("DstT"), node);
        context.SetOutput(node, 0, context.Emit("Cast", node.Name, [context.Value(node, 0)], ("to", (long)to)), context.BatchAxis(node, 0));
    }
}
