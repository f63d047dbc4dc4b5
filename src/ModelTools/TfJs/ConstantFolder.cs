using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs;

/// <summary>
/// Evaluates TF ops whose inputs are all constants at conversion time, so that shape arithmetic
/// (NanoDet computes its Reshape targets with SparseToDense, Where, GatherV2 and AddV2 on constants)
/// and weight re-layouts never reach the ONNX graph.
/// </summary>
internal static class ConstantFolder
{
    private static readonly HashSet<string> Foldable = new(StringComparer.Ordinal)
    {
        "Identity", "SparseToDense", "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Neg",
        "Cast", "ConcatV2", "Reshape", "Transpose", "GatherV2", "Pack", "Squeeze", "ExpandDims", "Shape",
    };

    public static bool CanFold(TfNode node) => Foldable.Contains(node.Op);

    /// <summary>Folds a node whose inputs are all constants; returns false when the op cannot be folded.</summary>
    public static bool TryFold(TfNode node, IReadOnlyList<TensorData> inputs, out TensorData result)
    {
        result = null!;
        switch (node.Op)
        {
            case "Identity":
                result = inputs[0];
                return true;
            case "SparseToDense":
                result = SparseToDense(node, inputs);
                return true;
            case "Add" or "AddV2":
                result = Binary(inputs[0], inputs[1], (a, b) => a + b);
                return true;
            case "Sub":
                result = Binary(inputs[0], inputs[1], (a, b) => a - b);
                return true;
            case "Mul":
                result = Binary(inputs[0], inputs[1], (a, b) => a * b);
                return true;
            case "RealDiv":
                result = Binary(inputs[0], inputs[1], (a, b) => a / b);
                return true;
            case "Maximum":
                result = Binary(inputs[0], inputs[1], Math.Max);
                return true;
            case "Minimum":
                result = Binary(inputs[0], inputs[1], Math.Min);
                return true;
            case "Neg":
                result = Binary(inputs[0], TensorData.Scalar(-1), (a, b) => a * b);
                return true;
            case "Cast":
                result = inputs[0].CastTo(TfTypes.ToElementType(node.GetTypeAttribute("DstT"), node));
                return true;
            case "ConcatV2":
                result = Concat(inputs.Take(inputs.Count - 1).ToList(), (int)inputs[^1].GetAsDouble(0));
                return true;
            case "Reshape":
                result = Reshape(inputs[0], inputs[1].ToLongArray());
                return true;
            case "Transpose":
                result = inputs[0].Transpose(inputs[1].ToLongArray());
                return true;
            case "GatherV2":
                result = Gather(inputs[0], inputs[1], (int)inputs[2].GetAsDouble(0));
                return true;
            case "Pack":
                result = Concat(inputs.Select(t => t.WithShape([1, .. t.Shape])).ToList(), (int)node.GetInt("axis", 0));
                return true;
            case "Squeeze":
                var squeeze = node.GetInts("squeeze_dims");
                result = inputs[0].WithShape(inputs[0].Shape.Where((d, i) => squeeze.Length == 0 ? d != 1 : !squeeze.Contains(i) && !squeeze.Contains(i - inputs[0].Rank)).ToArray());
                return true;
            case "ExpandDims":
                var axis = (int)inputs[1].GetAsDouble(0);
                var shape = inputs[0].Shape.ToList();
                shape.Insert(axis < 0 ? shape.Count + 1 + axis : axis, 1);
                result = inputs[0].WithShape(shape.ToArray());
                return true;
            case "Shape":
                result = TensorData.FromLongs(inputs[0].Shape, ElementType.Int32, inputs[0].Rank);
                return true;
            default:
                return false;
        }
    }

    private static TensorData SparseToDense(TfNode node, IReadOnlyList<TensorData> inputs)
    {
        var indices = inputs[0];
        var outputShape = inputs[1].ToLongArray();
        var values = inputs[2];
        var defaultValue = inputs[3];
        var count = TensorData.ElementCount(outputShape);
        var dense = new double[count];
        Array.Fill(dense, defaultValue.GetAsDouble(0));
        var strides = TensorData.Strides(outputShape);
        var rank = outputShape.Length;
        var entries = indices.Rank == 0 ? 1 : (int)indices.Shape[0];
        for (var e = 0; e < entries; e++)
        {
            long flat = 0;
            for (var d = 0; d < rank; d++)
            {
                var i = (long)indices.GetAsDouble(indices.Rank <= 1 ? e : (e * rank) + d);
                if (i < 0 || i >= outputShape[d])
                {
                    throw ConversionContext.Fail(node, $"sparse index {i} is outside dimension {d} of size {outputShape[d]}");
                }

                flat += i * strides[d];
            }

            dense[flat] = values.GetAsDouble(values.Count == 1 ? 0 : e);
        }

        return FromDoubles(dense, values.Type, outputShape);
    }

    private static TensorData Binary(TensorData a, TensorData b, Func<double, double, double> op)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Rank) >= 0 ? a.Shape[i - (rank - a.Rank)] : 1;
            var db = i - (rank - b.Rank) >= 0 ? b.Shape[i - (rank - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new InvalidOperationException($"shapes [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] do not broadcast");
            }

            shape[i] = Math.Max(da, db);
        }

        var count = TensorData.ElementCount(shape);
        var result = new double[count];
        var sa = BroadcastStrides(a.Shape, rank);
        var sb = BroadcastStrides(b.Shape, rank);
        var index = new long[rank];
        for (var o = 0; o < count; o++)
        {
            long ia = 0, ib = 0;
            for (var d = 0; d < rank; d++)
            {
                ia += index[d] * sa[d];
                ib += index[d] * sb[d];
            }

            result[o] = op(a.GetAsDouble((int)ia), b.GetAsDouble((int)ib));
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        var type = a.IsFloat || b.IsFloat ? ElementType.Float : a.Type;
        return FromDoubles(result, type, shape);
    }

    private static long[] BroadcastStrides(long[] shape, int rank)
    {
        var own = TensorData.Strides(shape);
        var strides = new long[rank];
        for (var i = 0; i < shape.Length; i++)
        {
            strides[rank - shape.Length + i] = shape[i] == 1 ? 0 : own[i];
        }

        return strides;
    }

    private static TensorData Concat(List<TensorData> parts, int axis)
    {
        var rank = parts[0].Rank;
        if (axis < 0)
        {
            axis += rank;
        }

        var shape = (long[])parts[0].Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var outer = TensorData.ElementCount(shape.Take(axis).ToArray());
        var values = new List<double>(TensorData.ElementCount(shape));
        for (var o = 0; o < outer; o++)
        {
            foreach (var part in parts)
            {
                var block = TensorData.ElementCount(part.Shape.Skip(axis).ToArray());
                for (var i = 0; i < block; i++)
                {
                    values.Add(part.GetAsDouble((o * block) + i));
                }
            }
        }

        var type = parts.Any(p => p.IsFloat) ? ElementType.Float : parts[0].Type;
        return FromDoubles(values.ToArray(), type, shape);
    }

    private static TensorData Reshape(TensorData input, long[] target)
    {
        var shape = (long[])target.Clone();
        var known = 1L;
        var unknown = -1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                unknown = i;
            }
            else
            {
                known *= shape[i];
            }
        }

        if (unknown >= 0)
        {
            shape[unknown] = input.Count / Math.Max(known, 1);
        }

        return input.WithShape(shape);
    }

    private static TensorData Gather(TensorData data, TensorData indices, int axis)
    {
        if (axis < 0)
        {
            axis += data.Rank;
        }

        var outer = TensorData.ElementCount(data.Shape.Take(axis).ToArray());
        var inner = TensorData.ElementCount(data.Shape.Skip(axis + 1).ToArray());
        var index = indices.ToLongArray();
        var source = new int[outer * index.Length * inner];
        var k = 0;
        for (var o = 0; o < outer; o++)
        {
            foreach (var idx in index)
            {
                for (var i = 0; i < inner; i++)
                {
                    source[k++] = (int)((((o * data.Shape[axis]) + idx) * inner) + i);
                }
            }
        }

        long[] shape = [.. data.Shape.Take(axis), .. indices.Shape, .. data.Shape.Skip(axis + 1)];
        return data.Gather(source, shape);
    }

    private static TensorData FromDoubles(double[] values, ElementType type, long[] shape) => type == ElementType.Float
        ? TensorData.FromFloats(values.Select(v => (float)v).ToArray(), shape)
        : TensorData.FromLongs(values.Select(v => (long)v).ToArray(), type, shape);
}
