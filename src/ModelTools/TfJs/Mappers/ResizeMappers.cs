using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>ResizeBilinear and ResizeNearestNeighbor (NHWC, target size [h, w]).</summary>
public sealed class ResizeMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["ResizeBilinear", "ResizeNearestNeighbor"];

    public void Map(TfNode node, ConversionContext context)
    {
        var size = context.RequireConstant(node, 1, "size").ToLongArray();
        var alignCorners = node.GetBool("align_corners", false);
        var halfPixel = node.GetBool("half_pixel_centers", false);
        var bilinear = node.Op == "ResizeBilinear";
        string transform;
        string nearestMode = "floor";
        if (alignCorners)
        {
            transform = "align_corners";
            nearestMode = "round_prefer_ceil";
        }
        else if (halfPixel)
        {
            transform = bilinear ? "half_pixel" : "tf_half_pixel_for_nn";
        }
        else
        {
            transform = "asymmetric";
        }

        var x = Layout.ToNchw(context, node, context.Value(node, 0));
        var sizes = context.AddInitializer(TensorData.FromInt64(size), $"{node.Name}/sizes");

        // Opset 18 lets Resize take sizes for chosen axes only, which keeps the batch dimension symbolic.
        var y = context.Emit(
            "Resize",
            $"{node.Name}/resize",
            [x, string.Empty, string.Empty, sizes],
            ("axes", new long[] { 2, 3 }),
            ("mode", bilinear ? "linear" : "nearest"),
            ("coordinate_transformation_mode", transform),
            ("nearest_mode", nearestMode));
        context.SetOutput(node, 0, Layout.ToNhwc(context, node, y), context.BatchAxis(node, 0));
    }
}
