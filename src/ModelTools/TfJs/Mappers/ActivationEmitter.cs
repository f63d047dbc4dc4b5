using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Emits an activation by its TF name; shared by the activation ops and the fused convolutions.</summary>
internal static class ActivationEmitter
{
    public static bool IsKnown(string activation) => activation is "Relu" or "Relu6" or "LeakyRelu" or "Elu" or "Sigmoid" or "Tanh" or "Prelu";

    public static string Emit(ConversionContext context, TfNode node, string activation, string input, float leakyAlpha, string? preluSlope = null)
    {
        var name = $"{node.Name}/{activation}";
        return activation switch
        {
            "Relu" => context.Emit("Relu", name, [input]),
            "Relu6" => context.Emit("Clip", name, [input, context.AddInitializer(TensorData.Scalar(0), $"{name}/min"), context.AddInitializer(TensorData.Scalar(6), $"{name}/max")]),
            "LeakyRelu" => context.Emit("LeakyRelu", name, [input], ("alpha", leakyAlpha)),
            "Elu" => context.Emit("Elu", name, [input], ("alpha", 1.0f)),
            "Sigmoid" => context.Emit("Sigmoid", name, [input]),
            "Tanh" => context.Emit("Tanh", name, [input]),
            "Prelu" => context.Emit("PRelu", name, [input, preluSlope ?? throw ConversionContext.Fail(node, "Prelu needs its slope")]),
            _ => throw ConversionContext.Fail(node, $"activation '{activation}' is not supported"),
        };
    }
}
