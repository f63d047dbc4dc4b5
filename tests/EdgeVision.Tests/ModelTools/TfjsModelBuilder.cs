using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// Writes a tiny TF.js graph model (model.json and one weight shard) the way the TF.js converter lays it out:
/// nodes in GraphDef JSON form (int lists as strings, strings in base64), Const values in the weights manifest,
/// weights back to back in the shard, outputs in the signature.
/// </summary>
internal sealed class TfjsModelBuilder
{
    private readonly JsonArray _nodes = [];
    private readonly JsonArray _weights = [];
    private readonly JsonObject _signatureInputs = [];
    private readonly JsonObject _signatureOutputs = [];
    private readonly List<byte> _shard = [];

    /// <summary>The shard's path as the manifest names it, relative to model.json.</summary>
    public string ShardPath { get; set; } = "group1-shard1of1.bin";

    public TfjsModelBuilder Placeholder(string name, params long[] shape) => Placeholder(name, "DT_FLOAT", shape);

    public TfjsModelBuilder Placeholder(string name, string dtype, long[] shape)
    {
        var dims = new JsonArray(shape.Select(d => (JsonNode)new JsonObject { ["size"] = d.ToString(CultureInfo.InvariantCulture) }).ToArray());
        _nodes.Add(new JsonObject
        {
            ["name"] = name,
            ["op"] = "Placeholder",
            ["attr"] = new JsonObject
            {
                ["dtype"] = Attr.Type(dtype),
                ["shape"] = new JsonObject { ["shape"] = new JsonObject { ["dim"] = dims } },
            },
        });
        _signatureInputs[name + ":0"] = new JsonObject { ["name"] = name + ":0", ["dtype"] = dtype };
        return this;
    }

    public TfjsModelBuilder ConstFloat(string name, float[] values, params long[] shape)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes, v);
            _shard.AddRange(bytes);
        }

        return AddConst(name, "float32", "DT_FLOAT", shape, null);
    }

    public TfjsModelBuilder ConstInt(string name, int[] values, params long[] shape)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, v);
            _shard.AddRange(bytes);
        }

        return AddConst(name, "int32", "DT_INT32", shape, null);
    }

    /// <summary>A float32 weight stored as float16 (the converter's --quantize_float16).</summary>
    public TfjsModelBuilder ConstFloat16(string name, Half[] values, params long[] shape)
    {
        Span<byte> bytes = stackalloc byte[2];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes, v);
            _shard.AddRange(bytes);
        }

        return AddConst(name, "float32", "DT_FLOAT", shape, new JsonObject { ["dtype"] = "float16" });
    }

    /// <summary>A float32 weight stored as uint8 codes q with value = q·scale + min (--quantize_uint8).</summary>
    public TfjsModelBuilder ConstUInt8(string name, byte[] codes, float scale, float min, params long[] shape)
    {
        _shard.AddRange(codes);
        return AddConst(name, "float32", "DT_FLOAT", shape, new JsonObject { ["dtype"] = "uint8", ["scale"] = scale, ["min"] = min });
    }

    /// <summary>An op node; attributes take the GraphDef JSON form (see <see cref="Attr"/>).</summary>
    public TfjsModelBuilder Node(string name, string op, string[] inputs, params (string Key, JsonNode Value)[] attributes)
    {
        var attr = new JsonObject();
        foreach (var (key, value) in attributes)
        {
            attr[key] = value;
        }

        _nodes.Add(new JsonObject
        {
            ["name"] = name,
            ["op"] = op,
            ["input"] = new JsonArray(inputs.Select(i => (JsonNode)JsonValue.Create(i)).ToArray()),
            ["attr"] = attr,
        });
        return this;
    }

    /// <summary>Declares a tensor ("node" or "node:1") a model output under the signature key "node:0" / "node:1".</summary>
    public TfjsModelBuilder Output(string tensor)
    {
        var name = tensor.Contains(':', StringComparison.Ordinal) ? tensor : tensor + ":0";
        _signatureOutputs[name] = new JsonObject { ["name"] = name, ["dtype"] = "DT_FLOAT" };
        return this;
    }

    /// <summary>Writes model.json and the shard into <paramref name="directory"/>; returns model.json's path.</summary>
    /// <param name="shardByteLimit">Writes only this many bytes of the shard, to model a truncated download.</param>
    public string Write(string directory, int? shardByteLimit = null)
    {
        var model = new JsonObject
        {
            ["format"] = "graph-model",
            ["generatedBy"] = "2.15.0",
            ["convertedBy"] = "TensorFlow.js Converter v4.22.0",
            ["signature"] = new JsonObject
            {
                ["inputs"] = _signatureInputs.DeepClone(),
                ["outputs"] = _signatureOutputs.DeepClone(),
            },
            ["modelTopology"] = new JsonObject
            {
                ["node"] = _nodes.DeepClone(),
                ["library"] = new JsonObject(),
                ["versions"] = new JsonObject { ["producer"] = 1808 },
            },
            ["weightsManifest"] = new JsonArray(new JsonObject
            {
                ["paths"] = new JsonArray(ShardPath),
                ["weights"] = _weights.DeepClone(),
            }),
        };

        var jsonPath = Path.Combine(directory, "model.json");
        File.WriteAllText(jsonPath, model.ToJsonString());
        var shard = _shard.ToArray();
        var shardPath = Path.GetFullPath(Path.Combine(directory, ShardPath));
        Directory.CreateDirectory(Path.GetDirectoryName(shardPath)!);
        File.WriteAllBytes(shardPath, shard.AsSpan(0, Math.Min(shard.Length, shardByteLimit ?? shard.Length)).ToArray());
        return jsonPath;
    }

    private TfjsModelBuilder AddConst(string name, string dtype, string tfType, long[] shape, JsonObject? quantization)
    {
        var weight = new JsonObject
        {
            ["name"] = name,
            ["shape"] = new JsonArray(shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
            ["dtype"] = dtype,
        };
        if (quantization is not null)
        {
            weight["quantization"] = quantization;
        }

        _weights.Add(weight);
        _nodes.Add(new JsonObject
        {
            ["name"] = name,
            ["op"] = "Const",
            ["attr"] = new JsonObject
            {
                ["dtype"] = Attr.Type(tfType),
                ["value"] = new JsonObject { ["tensor"] = new JsonObject { ["dtype"] = tfType, ["tensorShape"] = new JsonObject() } },
            },
        });
        return this;
    }
}

/// <summary>TF attribute values in the JSON form of a GraphDef.</summary>
internal static class Attr
{
    public static JsonNode Ints(params long[] values) =>
        new JsonObject { ["list"] = new JsonObject { ["i"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v.ToString(CultureInfo.InvariantCulture))).ToArray()) } };

    public static JsonNode Int(long value) => new JsonObject { ["i"] = value.ToString(CultureInfo.InvariantCulture) };

    public static JsonNode Float(float value) => new JsonObject { ["f"] = value };

    public static JsonNode Bool(bool value) => new JsonObject { ["b"] = value };

    public static JsonNode Str(string value) => new JsonObject { ["s"] = Base64(value) };

    public static JsonNode Strs(params string[] values) =>
        new JsonObject { ["list"] = new JsonObject { ["s"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(Base64(v))).ToArray()) } };

    public static JsonNode Type(string tfType) => new JsonObject { ["type"] = tfType };

    /// <summary>The "T": DT_FLOAT attribute every float op carries.</summary>
    public static (string, JsonNode) FloatT => ("T", Type("DT_FLOAT"));

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
