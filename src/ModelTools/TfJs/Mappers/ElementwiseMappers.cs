using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Binary element-wise ops with NumPy broadcasting, the same in TF and ONNX.</summary>
internal sealed class BinaryElementwiseMapper : ITfOpMapper
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
internal sealed class BiasAddMapper : ITfOpMapper
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
internal sealed class CastMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Cast"];

    public void Map(TfNode node, ConversionContext context)
    {
        var to = TfTypes.ToElementType(node.GetTypeAttribute("DstT"), node);
        context.SetOutput(node, 0, context.Emit("Cast", node.Name, [context.Value(node, 0)], ("to", (long)to)), context.BatchAxis(node, 0));
    }
}

/// <summary>
/// FloorDiv and FloorMod: division rounded towards −∞ and the remainder with the divisor's sign. For integers
/// ONNX's Mod (fmod 0) is that remainder and the quotient is (a − mod) / b, exact; for floats both come from Floor.
/// </summary>
internal sealed class FloorDivisionMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["FloorDiv", "FloorMod"];

    public void Map(TfNode node, ConversionContext context)
    {
        var a = context.Value(node, 0);
        var b = context.Value(node, 1);
        var isFloat = node.GetTypeAttribute("T") is "DT_FLOAT" or null;
        string output;
        if (isFloat)
        {
            var quotient = context.Emit("Floor", node.Op == "FloorDiv" ? node.Name : $"{node.Name}/floor", [context.Emit("Div", $"{node.Name}/div", [a, b])]);
            output = node.Op == "FloorDiv" ? quotient : context.Emit("Sub", node.Name, [a, context.Emit("Mul", $"{node.Name}/mul", [quotient, b])]);
        }
        else
        {
            var remainder = context.Emit("Mod", node.Op == "FloorMod" ? node.Name : $"{node.Name}/mod", [a, b], ("fmod", 0L));
            output = node.Op == "FloorMod" ? remainder : context.Emit("Div", node.Name, [context.Emit("Sub", $"{node.Name}/sub", [a, remainder]), b]);
        }

        context.SetOutput(node, 0, output, context.BatchAxis(node, 0) ?? context.BatchAxis(node, 1));
    }
}

/// <summary>Comparisons: Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual; a boolean tensor.</summary>
internal sealed class ComparisonMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"];

    public void Map(TfNode node, ConversionContext context)
    {
        var a = context.Value(node, 0);
        var b = context.Value(node, 1);
        var output = node.Op switch
        {
            "NotEqual" => context.Emit("Not", node.Name, [context.Emit("Equal", $"{node.Name}/equal", [a, b])]),
            "GreaterEqual" => context.Emit("GreaterOrEqual", node.Name, [a, b]),
            "LessEqual" => context.Emit("LessOrEqual", node.Name, [a, b]),
            var op => context.Emit(op, node.Name, [a, b]),
        };
        context.SetOutput(node, 0, output, context.BatchAxis(node, 0) ?? context.BatchAxis(node, 1));
    }
}
