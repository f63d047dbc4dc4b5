namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>
/// TF image ops work on NHWC, ONNX's on NCHW. A mapper wraps an NHWC op in a pair of Transposes; the
/// graph optimizer then cancels the pairs that meet, leaving a clean NCHW graph.
/// </summary>
internal static class Layout
{
    public static readonly long[] NhwcToNchw = [0, 3, 1, 2];
    public static readonly long[] NchwToNhwc = [0, 2, 3, 1];

    public static bool IsNhwc(TfNode node) => (node.GetString("data_format") ?? "NHWC") == "NHWC";

    public static string ToNchw(ConversionContext context, TfNode node, string value) =>
        context.Emit("Transpose", $"{node.Name}/to_nchw", [value], ("perm", NhwcToNchw));

    public static string ToNhwc(ConversionContext context, TfNode node, string value) =>
        context.Emit("Transpose", $"{node.Name}/to_nhwc", [value], ("perm", NchwToNhwc));

    /// <summary>The two spatial entries of a 4-entry TF list (strides, ksize, dilations) in the node's data format.</summary>
    public static long[] Spatial(TfNode node, long[] values, long fallback)
    {
        if (values.Length == 0)
        {
            return [fallback, fallback];
        }

        if (values.Length != 4)
        {
            throw ConversionContext.Fail(node, $"expects 4 entries in a stride/size list, got {values.Length}");
        }

        return IsNhwc(node) ? [values[1], values[2]] : [values[2], values[3]];
    }

    /// <summary>ONNX padding attributes for TF's padding mode ("VALID", "SAME", "EXPLICIT").</summary>
    public static (string Key, object Value) Padding(TfNode node)
    {
        var padding = node.GetString("padding") ?? "VALID";
        switch (padding)
        {
            case "VALID":
                return ("pads", new long[] { 0, 0, 0, 0 });
            case "SAME":
                // TF puts the odd pixel of SAME padding at the end, which is ONNX's SAME_UPPER.
                return ("auto_pad", "SAME_UPPER");
            case "EXPLICIT":
                var e = node.GetInts("explicit_paddings");
                if (e.Length != 8)
                {
                    throw ConversionContext.Fail(node, "EXPLICIT padding needs 8 explicit_paddings");
                }

                // [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] for NHWC; [[n],[c],[h],[w]] for NCHW.
                var (h, w) = IsNhwc(node) ? (2, 4) : (4, 6);
                return ("pads", new long[] { e[h], e[w], e[h + 1], e[w + 1] });
            default:
                throw ConversionContext.Fail(node, $"padding mode '{padding}' is not supported");
        }
    }
}
