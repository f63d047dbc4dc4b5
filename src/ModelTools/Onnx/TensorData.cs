namespace EdgeVision.ModelTools.Onnx;

/// <summary>Element types, numbered as ONNX's TensorProto.DataType.</summary>
public enum ElementType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
}

/// <summary>
/// A constant tensor held in memory: float data in <see cref="Floats"/>, integer and boolean data in
/// <see cref="Longs"/> (whatever its declared width), 8-bit data in <see cref="Bytes"/>.
/// </summary>
public sealed class TensorData
{
    private TensorData(ElementType type, long[] shape, float[]? floats, long[]? longs, byte[]? bytes)
    {
        Type = type;
        Shape = shape;
        Floats = floats;
        Longs = longs;
        Bytes = bytes;
        var expected = ElementCount(shape);
        var actual = floats?.Length ?? longs?.Length ?? bytes?.Length ?? 0;
        if (expected != actual)
        {
            throw new ArgumentException($"tensor of shape [{string.Join(",", shape)}] needs {expected} elements, got {actual}");
        }
    }

    public ElementType Type { get; }

    public long[] Shape { get; }

    public float[]? Floats { get; }

    public long[]? Longs { get; }

    public byte[]? Bytes { get; }

    public int Count => Floats?.Length ?? Longs?.Length ?? Bytes?.Length ?? 0;

    public int Rank => Shape.Length;

    public bool IsFloat => Type == ElementType.Float;

    public static TensorData FromFloats(float[] values, params long[] shape) => new(ElementType.Float, shape, values, null, null);

    public static TensorData FromLongs(long[] values, ElementType type, params long[] shape)
    {
        if (type is ElementType.Float or ElementType.UInt8 or ElementType.Int8)
        {
            throw new ArgumentException($"{type} is not an integer type held as longs", nameof(type));
        }

        return new(type, shape, null, values, null);
    }

    public static TensorData FromInt64(params long[] values) => new(ElementType.Int64, [values.Length], null, values, null);

    public static TensorData FromBytes(byte[] values, ElementType type, params long[] shape)
    {
        if (type is not (ElementType.UInt8 or ElementType.Int8))
        {
            throw new ArgumentException($"{type} is not an 8-bit type", nameof(type));
        }

        return new(type, shape, null, null, values);
    }

    public static TensorData Scalar(float value) => new(ElementType.Float, [], [value], null, null);

    public static int ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        return checked((int)count);
    }

    /// <summary>Values as doubles, whatever the element type (for small shape and index tensors).</summary>
    public double GetAsDouble(int index) => Floats is not null ? Floats[index]
        : Longs is not null ? Longs[index]
        : Type == ElementType.Int8 ? (sbyte)Bytes![index] : Bytes![index];

    public long[] ToLongArray()
    {
        if (Longs is not null)
        {
            return (long[])Longs.Clone();
        }

        var result = new long[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = checked((long)GetAsDouble(i));
        }

        return result;
    }

    public float[] ToFloatArray()
    {
        if (Floats is not null)
        {
            return (float[])Floats.Clone();
        }

        var result = new float[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)GetAsDouble(i);
        }

        return result;
    }

    public TensorData WithShape(params long[] shape) => new(Type, shape, Floats, Longs, Bytes);

    public TensorData CastTo(ElementType type) => type switch
    {
        ElementType.Float => FromFloats(ToFloatArray(), Shape),
        ElementType.Int32 or ElementType.Int64 or ElementType.Bool => FromLongs(ToLongArray(), type, Shape),
        _ => throw new NotSupportedException($"cast to {type} is not supported"),
    };

    /// <summary>Transposes a tensor of any rank by <paramref name="perm"/> (output axis i is input axis perm[i]).</summary>
    public TensorData Transpose(IReadOnlyList<long> perm)
    {
        var rank = Rank;
        if (perm.Count != rank)
        {
            throw new ArgumentException($"perm of length {perm.Count} for a tensor of rank {rank}");
        }

        var outShape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            outShape[i] = Shape[perm[i]];
        }

        var inStrides = Strides(Shape);
        var count = Count;
        var sourceIndex = new int[count];
        var index = new long[rank];
        for (var o = 0; o < count; o++)
        {
            long src = 0;
            for (var i = 0; i < rank; i++)
            {
                src += index[i] * inStrides[perm[i]];
            }

            sourceIndex[o] = (int)src;
            for (var i = rank - 1; i >= 0; i--)
            {
                if (++index[i] < outShape[i])
                {
                    break;
                }

                index[i] = 0;
            }
        }

        return Gather(sourceIndex, outShape);
    }

    /// <summary>A new tensor whose element i is this tensor's element <paramref name="sourceIndex"/>[i].</summary>
    public TensorData Gather(int[] sourceIndex, long[] shape)
    {
        if (Floats is not null)
        {
            var f = new float[sourceIndex.Length];
            for (var i = 0; i < f.Length; i++)
            {
                f[i] = Floats[sourceIndex[i]];
            }

            return FromFloats(f, shape);
        }

        if (Longs is not null)
        {
            var l = new long[sourceIndex.Length];
            for (var i = 0; i < l.Length; i++)
            {
                l[i] = Longs[sourceIndex[i]];
            }

            return FromLongs(l, Type, shape);
        }

        var b = new byte[sourceIndex.Length];
        for (var i = 0; i < b.Length; i++)
        {
            b[i] = Bytes![sourceIndex[i]];
        }

        return FromBytes(b, Type, shape);
    }

    public static long[] Strides(IReadOnlyList<long> shape)
    {
        var strides = new long[shape.Count];
        long s = 1;
        for (var i = shape.Count - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }

        return strides;
    }
}
