namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Element-wise activations: Relu, Relu6, LeakyRelu, Elu, Sigmoid, Tanh.</summary>
internal sealed class ActivationMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh"];

    public void Map(TfNode node, ConversionContext context)
    {
        var output = ActivationEmitter.Emit(context, node, node.Op, context.Value(node, 0), node.GetFloat("alpha", 0.2f));
        context.SetOutput(node, 0, output, context.BatchAxis(node, 0));
    }
}

/// <summary>Prelu: x for x ≥ 0, slope·x otherwise (slope broadcast over the channels).</summary>
internal sealed class PreluMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Prelu"];

    public void Map(TfNode node, ConversionContext context)
    {
        var output = ActivationEmitter.Emit(context, node, "Prelu", context.Value(node, 0), 0, context.Value(node, 1));
        context.SetOutput(node, 0, output, context.BatchAxis(node, 0));
    }
}

/// <summary>Identity and its kin pass their input through without an ONNX node.</summary>
internal sealed class IdentityMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Identity", "StopGradient", "NoOp"];

    public void Map(TfNode node, ConversionContext context) => context.SetValue(node, 0, context.Get(node, 0));
}

/// <summary>Unary math: Exp, Neg, Sqrt, Rsqrt, Square, Abs, Softmax (last axis).</summary>
internal sealed class UnaryMathMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Exp", "Neg", "Sqrt", "Rsqrt", "Square", "Abs", "Softmax"];

    public void Map(TfNode node, ConversionContext context)
    {
        var x = context.Value(node, 0);
        var output = node.Op switch
        {
            "Exp" => context.Emit("Exp", node.Name, [x]),
            "Neg" => context.Emit("Neg", node.Name, [x]),
            "Sqrt" => context.Emit("Sqrt", node.Name, [x]),
            "Rsqrt" => context.Emit("Reciprocal", node.Name, [context.Emit("Sqrt", $"{node.Name}/sqrt", [x])]),
            "Square" => context.Emit("Mul", node.Name, [x, x]),
            "Abs" => context.Emit("Abs", node.Name, [x]),
            _ => context.Emit("Softmax", node.Name, [x], ("axis", -1L)),
        };
        context.SetOutput(node, 0, output, context.BatchAxis(node, 0));
    }
}
