using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>ResizeBilinear and ResizeNearestNeighbor (NHWC, target size [h, w]).</summary>
internal sealed class ResizeMapper : ITfOpMapper
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

        // Resize wants every dimension in sizes. The batch and channel entries come from the input's own
        // shape at run time, so the batch stays symbolic. (Resize-18's `axes` would avoid this, but ONNX
        // Runtime's NHWC layout pass mishandles a two-entry sizes: it permutes it as if it had four.)
        var shape = context.Emit("Shape", $"{node.Name}/shape", [x]);
        var leading = context.Emit(
            "Slice",
            $"{node.Name}/batch_channels",
            [shape, context.AddInitializer(TensorData.FromInt64(0), $"{node.Name}/slice_start"), context.AddInitializer(TensorData.FromInt64(2), $"{node.Name}/slice_end")]);
        var sizes = context.Emit("Concat", $"{node.Name}/sizes", [leading, context.AddInitializer(TensorData.FromInt64(size), $"{node.Name}/spatial_size")], ("axis", 0L));
        var y = context.Emit(
            "Resize",
            $"{node.Name}/resize",
            [x, string.Empty, string.Empty, sizes],
            ("mode", bilinear ? "linear" : "nearest"),
            ("coordinate_transformation_mode", transform),
            ("nearest_mode", nearestMode));
        context.SetOutput(node, 0, Layout.ToNhwc(context, node, y), context.BatchAxis(node, 0));
    }
}
