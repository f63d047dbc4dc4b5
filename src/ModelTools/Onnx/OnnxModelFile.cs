using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx.Proto;
using Google.Protobuf;

namespace EdgeVision.ModelTools.Onnx;

/// <summary>Reads and writes <see cref="OnnxGraph"/> as an ONNX protobuf file (IR version 8).</summary>
public static class OnnxModelFile
{
    private const long IrVersion = 8;

    public static void Save(OnnxGraph graph, string path)
    {
        var model = ToProto(graph);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Write to a temporary file first so that a crash never leaves a half-written model behind.
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            model.WriteTo(stream);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static byte[] ToBytes(OnnxGraph graph) => ToProto(graph).ToByteArray();

    public static OnnxGraph Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelException($"model file not found: {path}");
        }

        try
        {
            using var stream = File.OpenRead(path);
            return FromProto(ModelProto.Parser.ParseFrom(stream));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelException($"{path} is not a valid ONNX model ({ex.Message})", ex);
        }
    }

    public static ModelProto ToProto(OnnxGraph graph)
    {
        var g = new GraphProto { Name = graph.Name, DocString = graph.DocString };
        foreach (var input in graph.Inputs)
        {
            g.Input.Add(ToValueInfo(input));
        }

        foreach (var output in graph.Outputs)
        {
            g.Output.Add(ToValueInfo(output));
        }

        foreach (var (name, tensor) in graph.Initializers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            g.Initializer.Add(ToTensorProto(name, tensor));
        }

        foreach (var node in graph.Nodes)
        {
            var n = new NodeProto { Name = node.Name, OpType = node.OpType, Domain = node.Domain };
            n.Input.AddRange(node.Inputs);
            n.Output.AddRange(node.Outputs);
            foreach (var (key, value) in node.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                n.Attribute.Add(ToAttribute(key, value));
            }

            g.Node.Add(n);
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = graph.ProducerName,
            ProducerVersion = "1",
            Graph = g,
        };
        foreach (var (domain, version) in graph.Opsets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        foreach (var (key, value) in graph.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    /// <summary>A deep copy of <paramref name="graph"/> (through its protobuf form), to change without touching the original.</summary>
    public static OnnxGraph Copy(OnnxGraph graph) => FromProto(ToProto(graph));

    public static OnnxGraph FromProto(ModelProto model)
    {
        var graph = new OnnxGraph { Name = model.Graph?.Name ?? "graph", ProducerName = model.ProducerName, DocString = model.Graph?.DocString ?? string.Empty };
        graph.Opsets.Clear();
        foreach (var opset in model.OpsetImport)
        {
            graph.Opsets[opset.Domain] = opset.Version;
        }

        foreach (var entry in model.MetadataProps)
        {
            graph.Metadata[entry.Key] = entry.Value;
        }

        var g = model.Graph ?? throw new ModelException("ONNX model has no graph");
        foreach (var t in g.Initializer)
        {
            graph.Initializers[t.Name] = FromTensorProto(t);
        }

        foreach (var input in g.Input.Where(i => !graph.Initializers.ContainsKey(i.Name)))
        {
            graph.Inputs.Add(FromValueInfo(input));
        }

        foreach (var output in g.Output)
        {
            graph.Outputs.Add(FromValueInfo(output));
        }

        foreach (var n in g.Node)
        {
            var node = new OnnxNode(n.OpType, n.Name, n.Input, n.Output, n.Domain);
            foreach (var a in n.Attribute)
            {
                node.Attributes[a.Name] = FromAttribute(a);
            }

            graph.Nodes.Add(node);
        }

        return graph;
    }

    private static ValueInfoProto ToValueInfo(OnnxValueInfo info)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)info.Type };
        if (info.Dims is null)
        {
            return new ValueInfoProto { Name = info.Name, Type = new TypeProto { TensorType = tensorType } };
        }

        var shape = new TensorShapeProto();
        foreach (var dim in info.Dims)
        {
            shape.Dim.Add(dim switch
            {
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                _ => new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) },
            });
        }

        return new ValueInfoProto
        {
            Name = info.Name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensorType.ElemType, Shape = shape } },
        };
    }

    private static OnnxValueInfo FromValueInfo(ValueInfoProto info)
    {
        var tensorType = info.Type?.TensorType;
        List<object>? dims = null;
        if (tensorType?.Shape is not null)
        {
            dims = new List<object>();
            foreach (var d in tensorType.Shape.Dim)
            {
                dims.Add(d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : d.DimParam);
            }
        }

        return new OnnxValueInfo(info.Name, (ElementType)(tensorType?.ElemType ?? 1), dims);
    }

    private static TensorProto ToTensorProto(string name, TensorData tensor)
    {
        var proto = new TensorProto { Name = name, DataType = (int)tensor.Type };
        proto.Dims.AddRange(tensor.Shape);
        byte[] raw;
        switch (tensor.Type)
        {
            case ElementType.Float:
                raw = MemoryMarshal.AsBytes(tensor.Floats.AsSpan()).ToArray();
                break;
            case ElementType.Int64:
                raw = MemoryMarshal.AsBytes(tensor.Longs.AsSpan()).ToArray();
                break;
            case ElementType.Int32:
                raw = new byte[tensor.Count * 4];
                for (var i = 0; i < tensor.Count; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * 4), checked((int)tensor.Longs![i]));
                }

                break;
            case ElementType.Bool:
                raw = tensor.Longs!.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
                break;
            default:
                raw = tensor.Bytes!;
                break;
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        }

        proto.RawData = ByteString.CopyFrom(raw);
        return proto;
    }

    private static TensorData FromTensorProto(TensorProto t)
    {
        var shape = t.Dims.ToArray();
        var type = (ElementType)t.DataType;
        var raw = t.RawData.Span;
        switch (type)
        {
            case ElementType.Float:
                return TensorData.FromFloats(raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : t.FloatData.ToArray(), shape);
            case ElementType.Int64:
                return TensorData.FromLongs(raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : t.Int64Data.ToArray(), type, shape);
            case ElementType.Int32:
                return TensorData.FromLongs(raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (long)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray(), type, shape);
            case ElementType.Bool:
                return TensorData.FromLongs(raw.Length > 0 ? raw.ToArray().Select(v => (long)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray(), type, shape);
            case ElementType.UInt8:
            case ElementType.Int8:
                return TensorData.FromBytes(raw.Length > 0 ? raw.ToArray() : t.Int32Data.Select(v => unchecked((byte)v)).ToArray(), type, shape);
            default:
                throw new ModelException($"initializer '{t.Name}' has ONNX data type {t.DataType}, which this toolchain does not handle");
        }
    }

    private static AttributeProto ToAttribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long i:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = i;
                break;
            case int i32:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = i32;
                break;
            case float f:
                a.Type = AttributeProto.Types.AttributeType.Float;
                a.F = f;
                break;
            case string s:
                a.Type = AttributeProto.Types.AttributeType.String;
                a.S = ByteString.CopyFromUtf8(s);
                break;
            case long[] ints:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ints);
                break;
            case float[] floats:
                a.Type = AttributeProto.Types.AttributeType.Floats;
                a.Floats.AddRange(floats);
                break;
            case TensorData tensor:
                a.Type = AttributeProto.Types.AttributeType.Tensor;
                a.T = ToTensorProto(string.Empty, tensor);
                break;
            default:
                throw new ArgumentException($"attribute '{name}' has unsupported value type {value.GetType().Name}");
        }

        return a;
    }

    private static object FromAttribute(AttributeProto a) => a.Type switch
    {
        AttributeProto.Types.AttributeType.Int => a.I,
        AttributeProto.Types.AttributeType.Float => a.F,
        AttributeProto.Types.AttributeType.String => a.S.ToStringUtf8(),
        AttributeProto.Types.AttributeType.Ints => a.Ints.ToArray(),
        AttributeProto.Types.AttributeType.Floats => a.Floats.ToArray(),
        AttributeProto.Types.AttributeType.Tensor => FromTensorProto(a.T),
        _ => throw new ModelException($"attribute '{a.Name}' of type {a.Type} is not supported by this toolchain"),
    };
}
