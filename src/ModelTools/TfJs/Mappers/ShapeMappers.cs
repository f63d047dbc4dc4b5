using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>
/// Reshape with a constant target. Models exported with batch 1 carry that 1 in their Reshape targets
/// (NanoDet: [1,44,-1]); when the reshaped tensor's first axis is the batch, the 1 becomes ONNX's 0
/// ("copy this dimension"), so a batch of 4 comes out as [4,…] and not folded into [1,4·N,…].
/// </summary>
internal sealed class ReshapeMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Reshape"];

    public void Map(TfNode node, ConversionContext context)
    {
        var shape = context.RequireConstant(node, 1, "shape").ToLongArray();
        int? batchAxis = null;
        if (context.BatchAxis(node, 0) == 0 && shape.Length > 0 && (shape[0] == 1 || shape[0] == 0))
        {
            shape[0] = 0;
            batchAxis = 0;
        }
        else if (shape.Length > 0 && shape[0] == -1 && context.BatchAxis(node, 0) == 0)
        {
            batchAxis = 0;
        }

        var target = context.AddInitializer(TensorData.FromInt64(shape), $"{node.Name}/shape");
        context.SetOutput(node, 0, context.Emit("Reshape", node.Name, [context.Value(node, 0), target]), batchAxis);
    }
}

/// <summary>Transpose with a constant permutation.</summary>
internal sealed class TransposeMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Transpose"];

    public void Map(TfNode node, ConversionContext context)
    {
        var perm = context.RequireConstant(node, 1, "permutation").ToLongArray();
        var batch = context.BatchAxis(node, 0);
        int? newBatch = batch is null ? null : Array.IndexOf(perm, (long)batch.Value) is var i && i >= 0 ? i : null;
        context.SetOutput(node, 0, context.Emit("Transpose", node.Name, [context.Value(node, 0)], ("perm", perm)), newBatch);
    }
}

/// <summary>ConcatV2: N tensors and a constant axis as the last input.</summary>
internal sealed class ConcatMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["ConcatV2"];

    public void Map(TfNode node, ConversionContext context)
    {
        var axisIndex = node.Inputs.Count - 1;
        var axis = (long)context.RequireConstant(node, axisIndex, "axis").GetAsDouble(0);
        var inputs = Enumerable.Range(0, axisIndex).Select(i => context.Value(node, i)).ToList();
        var batch = Enumerable.Range(0, axisIndex).Select(i => context.BatchAxis(node, i)).FirstOrDefault(b => b is not null);
        context.SetOutput(node, 0, context.Emit("Concat", node.Name, inputs, ("axis", axis)), batch);
    }
}

/// <summary>SplitV (explicit sizes) and Split (equal parts).</summary>
internal sealed class SplitMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["SplitV", "Split"];

    public void Map(TfNode node, ConversionContext context)
    {
        var count = (int)node.GetInt("num_split", 1);
        OnnxNode split;
        int dataIndex;
        if (node.Op == "SplitV")
        {
            dataIndex = 0;
            var sizes = context.RequireConstant(node, 1, "split sizes").ToLongArray();
            if (sizes.Any(s => s < 0))
            {
                throw ConversionContext.Fail(node, "split sizes of -1 are not supported");
            }

            var axis = (long)context.RequireConstant(node, 2, "axis").GetAsDouble(0);
            var sizeValue = context.AddInitializer(TensorData.FromInt64(sizes), $"{node.Name}/sizes");
            split = context.EmitMulti("Split", node.Name, [context.Value(node, 0), sizeValue], count, ("axis", axis));
        }
        else
        {
            dataIndex = 1;
            var axis = (long)context.RequireConstant(node, 0, "axis").GetAsDouble(0);
            split = context.EmitMulti("Split", node.Name, [context.Value(node, 1)], count, ("axis", axis), ("num_outputs", (long)count));
        }

        for (var i = 0; i < count; i++)
        {
            context.SetOutput(node, i, split.Outputs[i], context.BatchAxis(node, dataIndex));
        }
    }
}

/// <summary>Squeeze (squeeze_dims attribute) and ExpandDims (constant axis).</summary>
internal sealed class SqueezeMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["Squeeze", "ExpandDims"];

    public void Map(TfNode node, ConversionContext context)
    {
        if (node.Op == "Squeeze")
        {
            var dims = node.GetInts("squeeze_dims");
            if (dims.Length == 0)
            {
                throw ConversionContext.Fail(node, "Squeeze without squeeze_dims is not supported (the squeezed axes must be known)");
            }

            var axes = context.AddInitializer(TensorData.FromInt64(dims), $"{node.Name}/axes");
            context.SetOutput(node, 0, context.Emit("Squeeze", node.Name, [context.Value(node, 0), axes]), context.BatchAxis(node, 0) == 0 && !dims.Contains(0) ? 0 : null);
        }
        else
        {
            var axis = (long)context.RequireConstant(node, 1, "axis").GetAsDouble(0);
            var axes = context.AddInitializer(TensorData.FromInt64(axis), $"{node.Name}/axes");
            context.SetOutput(node, 0, context.Emit("Unsqueeze", node.Name, [context.Value(node, 0), axes]), context.BatchAxis(node, 0) == 0 && axis > 0 ? 0 : null);
        }
    }
}
