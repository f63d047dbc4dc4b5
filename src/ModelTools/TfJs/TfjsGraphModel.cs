using System.Text;
using System.Text.Json;
using EdgeVision.Models;

namespace EdgeVision.ModelTools.TfJs;

/// <summary>One input edge of a TF node: "node", "node:1"; control inputs ("^node") are kept apart.</summary>
public readonly record struct TfInput(string Node, int Index)
{
    public static TfInput Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), out var index))
        {
            return new TfInput(text[..colon], index);
        }

        return new TfInput(text, 0);
    }

    public override string ToString() => Index == 0 ? Node : $"{Node}:{Index}";
}

/// <summary>A node of a TensorFlow.js graph model (a TF GraphDef node rendered as JSON).</summary>
public sealed class TfNode
{
    private readonly Dictionary<string, JsonElement> _attributes;

    public TfNode(string name, string op, IReadOnlyList<TfInput> inputs, Dictionary<string, JsonElement> attributes)
    {
        Name = name;
        Op = op;
        Inputs = inputs;
        _attributes = attributes;
    }

    public string Name { get; }

    public string Op { get; }

    public IReadOnlyList<TfInput> Inputs { get; }

    public bool HasAttribute(string name) => _attributes.ContainsKey(name);

    public long[] GetInts(string name) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("list", out var list) && list.TryGetProperty("i", out var items)
        ? items.EnumerateArray().Select(ParseLong).ToArray()
        : [];

    public long GetInt(string name, long fallback) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("i", out var i) ? ParseLong(i) : fallback;

    public float GetFloat(string name, float fallback) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("f", out var f) ? f.GetSingle() : fallback;

    public bool GetBool(string name, bool fallback) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    /// <summary>String attributes are base64 in the JSON form of a GraphDef.</summary>
    public string? GetString(string name) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("s", out var s)
        ? Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString() ?? string.Empty))
        : null;

    public string[] GetStrings(string name) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("list", out var list) && list.TryGetProperty("s", out var items)
        ? items.EnumerateArray().Select(s => Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString() ?? string.Empty))).ToArray()
        : [];

    public string? GetTypeAttribute(string name) => _attributes.TryGetValue(name, out var a) && a.TryGetProperty("type", out var t) ? t.GetString() : null;

    public long[]? GetShapeAttribute(string name)
    {
        if (!_attributes.TryGetValue(name, out var a) || !a.TryGetProperty("shape", out var shape))
        {
            return null;
        }

        if (!shape.TryGetProperty("dim", out var dims))
        {
            return [];
        }

        return dims.EnumerateArray().Select(d => d.TryGetProperty("size", out var s) ? ParseLong(s) : 0).ToArray();
    }

    private static long ParseLong(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : e.GetInt64();

    public override string ToString() => $"{Op} node '{Name}'";
}

/// <summary>A parsed TensorFlow.js graph model: its nodes, its weights as constants, its signature.</summary>
public sealed class TfjsGraphModel
{
    public required IReadOnlyList<TfNode> Nodes { get; init; }

    public required IReadOnlyDictionary<string, Onnx.TensorData> Weights { get; init; }

    /// <summary>Signature inputs: signature key (e.g. "input_1:0") → tensor reference.</summary>
    public required IReadOnlyList<(string Key, TfInput Tensor)> SignatureInputs { get; init; }

    public required IReadOnlyList<(string Key, TfInput Tensor)> SignatureOutputs { get; init; }

    public string GeneratedBy { get; init; } = string.Empty;

    public string ConvertedBy { get; init; } = string.Empty;

    public TfNode? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    /// <summary>Reads model.json and its weight shards (the paths in its weights manifest, beside it).</summary>
    public static TfjsGraphModel Load(string modelJsonPath)
    {
        if (!File.Exists(modelJsonPath))
        {
            throw new ModelException($"TF.js model file not found: {modelJsonPath}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
        }
        catch (JsonException ex)
        {
            throw new ModelException($"{modelJsonPath} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("format", out var format) || format.GetString() != "graph-model")
            {
                throw new ModelException($"{modelJsonPath} is not a TF.js graph model (its \"format\" is not \"graph-model\")");
            }

            if (!root.TryGetProperty("modelTopology", out var topology) || !topology.TryGetProperty("node", out var nodeArray))
            {
                throw new ModelException($"{modelJsonPath} has no modelTopology.node list");
            }

            var nodes = new List<TfNode>();
            foreach (var n in nodeArray.EnumerateArray())
            {
                var name = n.GetProperty("name").GetString()!;
                var op = n.GetProperty("op").GetString()!;
                var inputs = new List<TfInput>();
                if (n.TryGetProperty("input", out var inputArray))
                {
                    foreach (var input in inputArray.EnumerateArray())
                    {
                        var text = input.GetString()!;
                        if (!text.StartsWith('^'))
                        {
                            inputs.Add(TfInput.Parse(text));
                        }
                    }
                }

                var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (n.TryGetProperty("attr", out var attr))
                {
                    foreach (var p in attr.EnumerateObject())
                    {
                        attributes[p.Name] = p.Value.Clone();
                    }
                }

                nodes.Add(new TfNode(name, op, inputs, attributes));
            }

            var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
            if (!root.TryGetProperty("weightsManifest", out var weightsManifest) || weightsManifest.ValueKind != JsonValueKind.Array)
            {
                throw new ModelException($"{modelJsonPath} has no weightsManifest list");
            }

            var weights = TfjsWeightReader.Read(weightsManifest, baseDirectory);

            var signatureInputs = new List<(string, TfInput)>();
            var signatureOutputs = new List<(string, TfInput)>();
            if (root.TryGetProperty("signature", out var signature))
            {
                ReadSignature(signature, "inputs", signatureInputs);
                ReadSignature(signature, "outputs", signatureOutputs);
            }

            if (signatureInputs.Count == 0)
            {
                signatureInputs.AddRange(nodes.Where(n => n.Op == "Placeholder").Select(n => (n.Name, new TfInput(n.Name, 0))));
            }

            if (signatureOutputs.Count == 0)
            {
                throw new ModelException($"{modelJsonPath} has no signature outputs; the converter needs to know which tensors are the model's outputs");
            }

            return new TfjsGraphModel
            {
                Nodes = nodes,
                Weights = weights,
                SignatureInputs = signatureInputs,
                SignatureOutputs = signatureOutputs,
                GeneratedBy = root.TryGetProperty("generatedBy", out var g) ? g.GetString() ?? string.Empty : string.Empty,
                ConvertedBy = root.TryGetProperty("convertedBy", out var c) ? c.GetString() ?? string.Empty : string.Empty,
            };
        }
    }

    private static void ReadSignature(JsonElement signature, string section, List<(string, TfInput)> target)
    {
        if (!signature.TryGetProperty(section, out var entries))
        {
            return;
        }

        foreach (var entry in entries.EnumerateObject())
        {
            var tensorName = entry.Value.TryGetProperty("name", out var n) ? n.GetString()! : entry.Name;
            target.Add((entry.Name, TfInput.Parse(tensorName)));
        }
    }
}
