using System.Text.Json.Nodes;
using EdgeVision.ModelTools.Onnx.Proto;
using Google.Protobuf;

namespace EdgeVision.Tests.Models;

/// <summary>
/// A real ONNX file with NanoDet-g's input and output names and shapes whose outputs are fixed tensors
/// (from a <see cref="NanoDetHeadEncoding"/>) repeated over the batch. It stands in for the converted
/// model where a test needs the whole ONNX Runtime path and an exactly known answer; tests about what the
/// real network sees use models/nanodet-g-416.onnx.
/// </summary>
internal static class SyntheticNanoDetModel
{
    /// <summary>Writes model.onnx, coco80.labels and model.json into <paramref name="directory"/>; returns the manifest path.</summary>
    public static string Write(string directory, NanoDetHeadEncoding head, string name = "synthetic-nanodet")
    {
        var onnxPath = Path.Combine(directory, name + ".onnx");
        File.WriteAllBytes(onnxPath, Build(head).ToByteArray());
        File.Copy(RepositoryFiles.Path("models/coco80.labels"), Path.Combine(directory, "coco80.labels"), overwrite: true);
        return WriteManifest(directory, name, Sha256Of(onnxPath));
    }

    /// <summary>Writes a manifest like the NanoDet-g one for <c>NAME.onnx</c> with the given hash.</summary>
    public static string WriteManifest(string directory, string name, string sha256)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(RepositoryFiles.Path("models/nanodet-g-416.json")))!;
        manifest["name"] = name;
        manifest["file"] = name + ".onnx";
        manifest["sha256"] = sha256;
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, manifest.ToJsonString());
        if (!File.Exists(Path.Combine(directory, "coco80.labels")))
        {
            File.Copy(RepositoryFiles.Path("models/coco80.labels"), Path.Combine(directory, "coco80.labels"));
        }

        return path;
    }

    public static string Sha256Of(string path) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private static ModelProto Build(NanoDetHeadEncoding head) => Build(416, 416, head.Outputs);

    /// <summary>A model taking <c>input_1</c> [N, 3, height, width] whose outputs are the given tables repeated over the batch.</summary>
    internal static ModelProto Build(int width, int height, IEnumerable<(string Name, int[] ItemShape, float[] Values)> outputs)
    {
        // zero[N,1,1] = Squeeze(ReduceMean(input_1, axes 1,2,3), axis 3) · 0, then output = zero + table:
        // broadcasting gives [N, cells, width] and keeps the batch dimension symbolic as in the real model.
        var graph = new GraphProto { Name = "synthetic_nanodet" };
        graph.Input.Add(Tensor("input_1", "N", 3, height, width));
        graph.Node.Add(Node("ReduceMean", ["input_1"], ["mean"], new AttributeProto
        {
            Name = "axes",
            Type = AttributeProto.Types.AttributeType.Ints,
            Ints = { 1, 2, 3 },
        }));
        graph.Initializer.Add(new TensorProto
        {
            Name = "squeeze_axes",
            DataType = (int)TensorProto.Types.DataType.Int64,
            Dims = { 1 },
            Int64Data = { 3 },
        });
        graph.Node.Add(Node("Squeeze", ["mean", "squeeze_axes"], ["squeezed"]));
        graph.Initializer.Add(FloatInitializer("zero", [], [0f]));
        graph.Node.Add(Node("Mul", ["squeezed", "zero"], ["batch_zero"]));

        foreach (var (outputName, itemShape, values) in outputs)
        {
            var table = outputName + "_table";
            graph.Initializer.Add(FloatInitializer(table, itemShape, values));
            graph.Node.Add(Node("Add", ["batch_zero", table], [outputName]));
            graph.Output.Add(Tensor(outputName, "N", itemShape));
        }

        var model = new ModelProto { IrVersion = 7, ProducerName = "edgevision-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0] + "_node" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static TensorProto FloatInitializer(string name, int[] dims, float[] values)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        return tensor;
    }

    private static ValueInfoProto Tensor(string name, string batch, params int[] itemShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (var size in itemShape)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
