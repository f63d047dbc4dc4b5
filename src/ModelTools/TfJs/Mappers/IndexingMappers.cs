using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>
/// TopKV2: the k largest values along the last axis and their positions, largest first. ONNX's TopK gives the
/// lower index first among equal values, as TF does; its int64 indices are cast to TF's int32.
/// </summary>
internal sealed class TopKMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["TopKV2"];

    public void Map(TfNode node, ConversionContext context)
    {
        var k = context.RequireConstant(node, 1, "k").ToLongArray();
        if (k.Length != 1 || k[0] < 1)
        {
            throw ConversionContext.Fail(node, "needs k to be one positive number");
        }

        if (!node.GetBool("sorted", true))
        {
            throw ConversionContext.Fail(node, "unsorted TopK is not supported (ONNX's order would differ from TF's)");
        }

        var kValue = context.AddInitializer(TensorData.FromInt64(k[0]), $"{node.Name}/k");
        var topK = context.EmitMulti("TopK", $"{node.Name}/topk", [context.Value(node, 0), kValue], 2, ("axis", -1L), ("largest", 1L), ("sorted", 1L));
        var batch = context.BatchAxis(node, 0);
        context.SetOutput(node, 0, topK.Outputs[0], batch);
        var indices = context.Emit("Cast", $"{node.Name}/indices", [topK.Outputs[1]], ("to", (long)ElementType.Int32));
        context.SetOutput(node, 1, indices, batch);
    }
}

/// <summary>GatherV2 with a constant axis and no batch dimensions: ONNX Gather.</summary>
internal sealed class GatherMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["GatherV2"];

    public void Map(TfNode node, ConversionContext context)
    {
        if (node.GetInt("batch_dims", 0) != 0)
        {
            throw ConversionContext.Fail(node, "batch_dims other than 0 is not supported");
        }

        var axis = (long)context.RequireConstant(node, 2, "axis").GetAsDouble(0);
        var output = context.Emit("Gather", node.Name, [context.Value(node, 0), context.Value(node, 1)], ("axis", axis));
        context.SetOutput(node, 0, output, axis == 0 ? null : context.BatchAxis(node, 0));
    }
}

/// <summary>
/// StridedSlice with constant begin, end and strides, and begin, end and shrink-axis masks: an ONNX Slice over the
/// listed axes, then a Squeeze of the shrunk ones. Ellipsis and new-axis masks are refused.
/// </summary>
internal sealed class StridedSliceMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["StridedSlice"];

    public void Map(TfNode node, ConversionContext context)
    {
        if (node.GetInt("ellipsis_mask", 0) != 0 || node.GetInt("new_axis_mask", 0) != 0)
        {
            throw ConversionContext.Fail(node, "ellipsis and new-axis masks are not supported");
        }

        var begin = context.RequireConstant(node, 1, "begin").ToLongArray();
        var end = context.RequireConstant(node, 2, "end").ToLongArray();
        var strides = context.RequireConstant(node, 3, "strides").ToLongArray();
        if (end.Length != begin.Length || strides.Length != begin.Length)
        {
            throw ConversionContext.Fail(node, "begin, end and strides must have the same length");
        }

        var slice = Plan(node, begin, end, strides, node.GetInt("begin_mask", 0), node.GetInt("end_mask", 0), node.GetInt("shrink_axis_mask", 0));
        var output = context.Emit(
            "Slice",
            slice.Shrunk.Count == 0 ? node.Name : $"{node.Name}/slice",
            [
                context.Value(node, 0),
                context.AddInitializer(TensorData.FromInt64(slice.Starts), $"{node.Name}/starts"),
                context.AddInitializer(TensorData.FromInt64(slice.Ends), $"{node.Name}/ends"),
                context.AddInitializer(TensorData.FromInt64(slice.Axes), $"{node.Name}/axes"),
                context.AddInitializer(TensorData.FromInt64(slice.Steps), $"{node.Name}/steps"),
            ]);
        if (slice.Shrunk.Count > 0)
        {
            output = context.Emit("Squeeze", node.Name, [output, context.AddInitializer(TensorData.FromInt64([.. slice.Shrunk]), $"{node.Name}/shrunk")]);
        }

        var batch = context.BatchAxis(node, 0);
        var keepsBatch = batch == 0 && !slice.Shrunk.Contains(0) && (begin.Length == 0 || (slice.Starts[0] == 0 && slice.Ends[0] == long.MaxValue && slice.Steps[0] == 1));
        context.SetOutput(node, 0, output, keepsBatch ? 0 : null);
    }

    /// <summary>ONNX Slice inputs for TF's begin/end/strides and masks (bit i of a mask is axis i).</summary>
    internal static (long[] Starts, long[] Ends, long[] Axes, long[] Steps, List<long> Shrunk) Plan(
        TfNode node, long[] begin, long[] end, long[] strides, long beginMask, long endMask, long shrinkMask)
    {
        var n = begin.Length;
        var starts = new long[n];
        var ends = new long[n];
        var axes = new long[n];
        var steps = new long[n];
        var shrunk = new List<long>();
        for (var i = 0; i < n; i++)
        {
            var step = strides[i];
            if (step == 0)
            {
                throw ConversionContext.Fail(node, $"stride 0 on axis {i}");
            }

            axes[i] = i;
            if ((shrinkMask >> i & 1) == 1)
            {
                // One element at begin; -1 means the last, whose end is "to the end".
                starts[i] = begin[i];
                ends[i] = begin[i] == -1 ? long.MaxValue : begin[i] + 1;
                steps[i] = 1;
                shrunk.Add(i);
                continue;
            }

            steps[i] = step;
            starts[i] = (beginMask >> i & 1) == 1 ? (step > 0 ? 0 : long.MaxValue) : begin[i];
            ends[i] = (endMask >> i & 1) == 1 ? (step > 0 ? long.MaxValue : long.MinValue) : end[i];
        }

        return (starts, ends, axes, steps, shrunk);
    }
}
