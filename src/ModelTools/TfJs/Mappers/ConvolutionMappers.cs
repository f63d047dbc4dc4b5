using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>Shared by the convolution mappers: filter re-layout and the ONNX Conv with optional bias and activation.</summary>
internal static class ConvolutionEmitter
{
    /// <summary>TF Conv2D filter [H,W,In,Out] → ONNX [Out,In,H,W].</summary>
    public static TensorData ConvFilter(TensorData hwio) => hwio.Transpose([3, 2, 0, 1]);

    /// <summary>TF depthwise filter [H,W,C,M] → ONNX grouped filter [C·M,1,H,W] with group = C.</summary>
    public static TensorData DepthwiseFilter(TensorData hwcm)
    {
        var (h, w, c, m) = (hwcm.Shape[0], hwcm.Shape[1], hwcm.Shape[2], hwcm.Shape[3]);
        return hwcm.Transpose([2, 3, 0, 1]).WithShape(c * m, 1, h, w);
    }

    public static void Emit(ConversionContext context, TfNode node, TensorData onnxFilter, long group, string? bias, string? activation)
    {
        var filter = context.AddInitializer(onnxFilter, $"{node.Name}/filter");
        var x = context.Value(node, 0);
        var nhwc = Layout.IsNhwc(node);
        if (nhwc)
        {
            x = Layout.ToNchw(context, node, x);
        }

        var inputs = bias is null ? new[] { x, filter } : new[] { x, filter, bias };
        long[] kernel = [onnxFilter.Shape[2], onnxFilter.Shape[3]];
        var strides = Layout.Spatial(node, node.GetInts("strides"), 1);
        var dilations = Layout.Spatial(node, node.GetInts("dilations"), 1);
        var y = context.Emit(
            "Conv",
            $"{node.Name}/conv",
            inputs,
            ("kernel_shape", kernel),
            ("strides", strides),
            ("dilations", dilations),
            ("group", group),
            Padding(node, kernel, strides, dilations));
        if (activation is not null)
        {
            y = ActivationEmitter.Emit(context, node, activation, y, node.GetFloat("leakyrelu_alpha", 0.2f), activation == "Prelu" ? PreluSlope(context, node) : null);
        }

        context.SetOutput(node, 0, nhwc ? Layout.ToNhwc(context, node, y) : y, context.BatchAxis(node, 0));
    }

    /// <summary>
    /// ONNX Runtime rejects auto_pad SAME on a dilated convolution, so a dilated SAME convolution gets explicit pads.
    /// TF dilates only with stride 1, where SAME pads (kernel − 1)·dilation in total whatever the input's size,
    /// the odd pixel at the end.
    /// </summary>
    private static (string Key, object Value) Padding(TfNode node, long[] kernel, long[] strides, long[] dilations)
    {
        if ((node.GetString("padding") ?? "VALID") != "SAME" || dilations.All(d => d == 1))
        {
            return Layout.Padding(node);
        }

        if (strides.Any(s => s != 1))
        {
            throw ConversionContext.Fail(node, "SAME padding with both dilation and stride above 1 is not supported");
        }

        var totalH = (kernel[0] - 1) * dilations[0];
        var totalW = (kernel[1] - 1) * dilations[1];
        return ("pads", new[] { totalH / 2, totalW / 2, totalH - (totalH / 2), totalW - (totalW / 2) });
    }

    /// <summary>For fused ops: [x, filter, bias, extra...]; returns the bias initializer and the activation.</summary>
    public static (string? Bias, string? Activation) FusedArguments(ConversionContext context, TfNode node)
    {
        var fused = node.GetStrings("fused_ops");
        string? bias = null;
        string? activation = null;
        foreach (var op in fused)
        {
            if (op == "BiasAdd")
            {
                bias = context.AddInitializer(context.RequireConstant(node, 2, "bias").CastTo(ElementType.Float), $"{node.Name}/bias");
            }
            else if (ActivationEmitter.IsKnown(op))
            {
                activation = op;
            }
            else
            {
                throw ConversionContext.Fail(node, $"fused op '{op}' is not supported");
            }
        }

        return (bias, activation);
    }

    private static string PreluSlope(ConversionContext context, TfNode node)
    {
        // The slope follows the bias among the fused arguments; it broadcasts over NCHW channels.
        var slope = context.RequireConstant(node, 3, "Prelu slope");
        return context.AddInitializer(slope.WithShape(slope.Count, 1, 1), $"{node.Name}/prelu_slope");
    }
}

/// <summary>Conv2D: a plain 2-D convolution.</summary>
internal sealed class Conv2DMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Conv2D"];

    public void Map(TfNode node, ConversionContext context) =>
        ConvolutionEmitter.Emit(context, node, ConvolutionEmitter.ConvFilter(context.RequireConstant(node, 1, "filter")), 1, null, null);
}

/// <summary>_FusedConv2D: convolution + BiasAdd + optional activation, as TF.js's converter fuses them.</summary>
internal sealed class FusedConv2DMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["_FusedConv2D"];

    public void Map(TfNode node, ConversionContext context)
    {
        var (bias, activation) = ConvolutionEmitter.FusedArguments(context, node);
        ConvolutionEmitter.Emit(context, node, ConvolutionEmitter.ConvFilter(context.RequireConstant(node, 1, "filter")), 1, bias, activation);
    }
}

/// <summary>DepthwiseConv2dNative and its fused form FusedDepthwiseConv2dNative.</summary>
internal sealed class DepthwiseConvMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"];

    public void Map(TfNode node, ConversionContext context)
    {
        var filter = context.RequireConstant(node, 1, "filter");
        var (bias, activation) = node.Op == "FusedDepthwiseConv2dNative" ? ConvolutionEmitter.FusedArguments(context, node) : (null, null);
        ConvolutionEmitter.Emit(context, node, ConvolutionEmitter.DepthwiseFilter(filter), filter.Shape[2], bias, activation);
    }
}
