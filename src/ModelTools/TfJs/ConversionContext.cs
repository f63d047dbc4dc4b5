using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs;

/// <summary>A TF tensor during conversion: either a constant known at conversion time or an ONNX value.</summary>
/// <param name="BatchAxis">Which axis carries the batch, when known; used to keep the batch symbolic through reshapes.</param>
internal sealed record TfValue(TensorData? Constant, string? OnnxName, int? BatchAxis)
{
    public bool IsConstant => Constant is not null;
}

/// <summary>What an op mapper works with: the TF values seen so far and the ONNX graph being built.</summary>
internal sealed class ConversionContext
{
    private readonly Dictionary<TfInput, TfValue> _values = new();

    public ConversionContext(OnnxGraph graph)
    {
        Graph = graph;
    }

    public OnnxGraph Graph { get; }

    public bool Has(TfInput tensor) => _values.ContainsKey(tensor);

    public TfValue Get(TfNode node, int inputIndex)
    {
        if (inputIndex >= node.Inputs.Count)
        {
            throw Fail(node, $"expects at least {inputIndex + 1} inputs, has {node.Inputs.Count}");
        }

        var input = node.Inputs[inputIndex];
        return _values.TryGetValue(input, out var value)
            ? value
            : throw Fail(node, $"input '{input}' is not produced by any node");
    }

    public TensorData? TryGetConstant(TfNode node, int inputIndex) => Get(node, inputIndex).Constant;

    public TensorData RequireConstant(TfNode node, int inputIndex, string what) =>
        Get(node, inputIndex).Constant ?? throw Fail(node, $"needs its {what} (input {inputIndex}) to be a constant");

    /// <summary>The ONNX value name of an input; a constant input becomes an initializer.</summary>
    public string Value(TfNode node, int inputIndex)
    {
        var value = Get(node, inputIndex);
        return value.OnnxName ?? AddInitializer(value.Constant!, $"{node.Name}/const{inputIndex}");
    }

    public int? BatchAxis(TfNode node, int inputIndex) => Get(node, inputIndex).BatchAxis;

    public string AddInitializer(TensorData tensor, string hint)
    {
        var name = Graph.Initializers.ContainsKey(hint) ? Graph.UniqueName(hint) : hint;
        Graph.Initializers[name] = tensor;
        return name;
    }

    /// <summary>Adds an ONNX node with one output and returns the output's name.</summary>
    public string Emit(string opType, string name, IEnumerable<string> inputs, params (string Key, object Value)[] attributes)
    {
        var node = EmitMulti(opType, name, inputs, 1, attributes);
        return node.Outputs[0];
    }

    public OnnxNode EmitMulti(string opType, string name, IEnumerable<string> inputs, int outputCount, params (string Key, object Value)[] attributes)
    {
        var nodeName = Graph.Nodes.Any(n => n.Name == name) ? Graph.UniqueName(name) : name;
        var outputs = Enumerable.Range(0, outputCount).Select(i => i == 0 ? nodeName : $"{nodeName}:{i}").ToList();
        var node = new OnnxNode(opType, nodeName, inputs, outputs);
        foreach (var (key, value) in attributes)
        {
            node.Attributes[key] = value;
        }

        Graph.Nodes.Add(node);
        return node;
    }

    public void SetOutput(TfNode node, int index, string onnxName, int? batchAxis) =>
        _values[new TfInput(node.Name, index)] = new TfValue(null, onnxName, batchAxis);

    public void SetConstant(TfNode node, int index, TensorData tensor) =>
        _values[new TfInput(node.Name, index)] = new TfValue(tensor, null, null);

    public void SetValue(TfNode node, int index, TfValue value) => _values[new TfInput(node.Name, index)] = value;

    public TfValue? Lookup(TfInput tensor) => _values.TryGetValue(tensor, out var v) ? v : null;

    public static ModelException Fail(TfNode node, string problem) =>
        new($"cannot convert {node.Op} node '{node.Name}': {problem}");
}
