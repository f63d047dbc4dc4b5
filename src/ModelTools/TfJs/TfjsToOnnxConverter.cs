using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Optimization;

namespace EdgeVision.ModelTools.TfJs;

public sealed record ConversionOptions
{
    /// <summary>Name of the symbolic batch dimension of inputs and outputs; null keeps the model's fixed batch.</summary>
    public string? BatchDimension { get; init; } = "batch";

    /// <summary>
    /// Run the layout and fusion passes (transposes cancelled, pads and biases folded into convolutions, constant
    /// Resize scales where the input size is fixed).
    /// </summary>
    public bool Optimize { get; init; } = true;

    public int Opset { get; init; } = 18;

    /// <summary>
    /// The signature outputs to keep (by key, with or without ":0"); null keeps all. Nodes that only the dropped
    /// outputs need are not converted.
    /// </summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>
    /// Declare 4-D inputs NCHW ([N, C, H, W]) instead of TF's NHWC, as EdgeVision's preprocessing writes them; the
    /// Transpose this puts in front of the graph cancels against the first convolution's.
    /// </summary>
    public bool ChannelsFirstInputs { get; init; }
}

/// <summary>Converts a TF.js graph model into an ONNX graph.</summary>
public static class TfjsToOnnxConverter
{
    public static OnnxGraph Convert(TfjsGraphModel model, ConversionOptions? options = null)
    {
        options ??= new ConversionOptions();
        var graph = new OnnxGraph { Name = "tfjs_converted" };
        graph.Opsets[""] = options.Opset;
        var context = new ConversionContext(graph);
        var outputs = SelectOutputs(model, options.Outputs);
        var needed = Needed(model, outputs.Select(o => o.Tensor.Node));

        foreach (var node in TopologicalOrder(model).Where(n => needed.Contains(n.Name)))
        {
            if (node.Op == "Const")
            {
                var weight = model.Weights.GetValueOrDefault(node.Name)
                    ?? throw ConversionContext.Fail(node, "no weight with this name in the weights manifest");
                context.SetConstant(node, 0, weight);
                continue;
            }

            if (node.Op == "Placeholder")
            {
                AddGraphInput(graph, context, node, options);
                continue;
            }

            if (node.Inputs.Count > 0 && ConstantFolder.CanFold(node))
            {
                var inputs = node.Inputs.Select((_, i) => context.Get(node, i).Constant).ToList();
                if (inputs.All(t => t is not null) && ConstantFolder.TryFold(node, inputs!, out var folded))
                {
                    context.SetConstant(node, 0, folded);
                    continue;
                }
            }

            var mapper = TfOpMappers.Find(node.Op)
                ?? throw new ModelException($"unsupported TF.js op '{node.Op}' at node '{node.Name}'");
            mapper.Map(node, context);
        }

        foreach (var (key, tensor) in outputs)
        {
            var value = context.Lookup(tensor) ?? throw new ModelException($"signature output '{key}' names tensor '{tensor}', which no node produces");
            var outputName = SignatureName(key);
            var source = value.OnnxName ?? context.AddInitializer(value.Constant!, $"{outputName}/constant");

            // A mapper names its ONNX output after its TF node, so an output op named like its signature key
            // ("Softmax" for "Softmax:0") already produces the output's name; an Identity to itself would be a cycle.
            if (source != outputName)
            {
                graph.Nodes.Add(new OnnxNode("Identity", $"{outputName}/output", [source], [outputName]));
            }

            graph.Outputs.Add(new OnnxValueInfo(outputName, ElementType.Float, null));
        }

        if (options.Optimize)
        {
            GraphOptimizer.Run(graph);
        }
        else
        {
            graph.RemoveDeadNodes();
        }

        // Outputs are declared float above, before their producers are settled; a Cast to int32 (or any integer
        // output) must be declared as what it is, or ONNX Runtime refuses the model.
        var types = ElementTypeInference.Infer(graph);
        for (var i = 0; i < graph.Outputs.Count; i++)
        {
            var output = graph.Outputs[i];
            graph.Outputs[i] = output with { Type = types.GetValueOrDefault(output.Name, output.Type) };
        }

        if (options.Optimize)
        {
            // Needs a valid graph (it runs it once), so it comes after the outputs are typed.
            ResizeScaleFolding.Run(graph);
        }

        graph.Metadata["converted_from"] = "tfjs graph-model";
        if (model.GeneratedBy.Length > 0)
        {
            graph.Metadata["tfjs_generated_by"] = model.GeneratedBy;
        }

        return graph;
    }

    /// <summary>"Identity:0" → "Identity": ONNX value names need no TF output index.</summary>
    public static string SignatureName(string key) => key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;

    private static List<(string Key, TfInput Tensor)> SelectOutputs(TfjsGraphModel model, IReadOnlyList<string>? wanted)
    {
        if (wanted is null)
        {
            return [.. model.SignatureOutputs];
        }

        var selected = new List<(string Key, TfInput Tensor)>();
        foreach (var name in wanted)
        {
            var match = model.SignatureOutputs.Where(o => o.Key == name || SignatureName(o.Key) == name).ToList();
            if (match.Count == 0)
            {
                var known = string.Join(", ", model.SignatureOutputs.Select(o => SignatureName(o.Key)));
                throw new ModelException($"the model has no output '{name}' (its outputs: {known})");
            }

            selected.Add(match[0]);
        }

        return selected;
    }

    /// <summary>The names of the nodes the given nodes read from, directly or not, themselves included.</summary>
    private static HashSet<string> Needed(TfjsGraphModel model, IEnumerable<string> roots)
    {
        var byName = model.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var name))
        {
            if (needed.Add(name) && byName.TryGetValue(name, out var node))
            {
                foreach (var input in node.Inputs)
                {
                    pending.Push(input.Node);
                }
            }
        }

        // Inputs stay declared even when no kept output reads them, so the file's interface is what the model says.
        foreach (var node in model.Nodes.Where(n => n.Op == "Placeholder"))
        {
            needed.Add(node.Name);
        }

        return needed;
    }

    private static void AddGraphInput(OnnxGraph graph, ConversionContext context, TfNode node, ConversionOptions options)
    {
        var shape = node.GetShapeAttribute("shape") ?? throw ConversionContext.Fail(node, "has no shape");
        var dims = new List<object>();
        for (var i = 0; i < shape.Length; i++)
        {
            // Only an image-like input (rank 2 or more) has a batch as its first dimension.
            var isBatch = i == 0 && shape.Length >= 2 && options.BatchDimension is not null;
            dims.Add(isBatch ? options.BatchDimension! : shape[i] < 0 ? $"dim{i}" : shape[i]);
        }

        var type = TfTypes.ToElementType(node.GetTypeAttribute("dtype") ?? "DT_FLOAT", node);
        var batchAxis = shape.Length >= 2 && options.BatchDimension is not null ? 0 : (int?)null;
        if (options.ChannelsFirstInputs && shape.Length == 4)
        {
            graph.Inputs.Add(new OnnxValueInfo(node.Name, type, [dims[0], dims[3], dims[1], dims[2]]));
            context.SetOutput(node, 0, context.Emit("Transpose", $"{node.Name}/to_nhwc", [node.Name], ("perm", new long[] { 0, 2, 3, 1 })), batchAxis);
            return;
        }

        graph.Inputs.Add(new OnnxValueInfo(node.Name, type, dims));
        context.SetOutput(node, 0, node.Name, batchAxis);
    }

    private static List<TfNode> TopologicalOrder(TfjsGraphModel model)
    {
        var byName = model.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<TfNode>(model.Nodes.Count);
        foreach (var root in model.Nodes)
        {
            if (state.ContainsKey(root.Name))
            {
                continue;
            }

            var stack = new Stack<(TfNode Node, int Next)>();
            stack.Push((root, 0));
            state[root.Name] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Count)
                {
                    stack.Push((node, next + 1));
                    var inputName = node.Inputs[next].Node;
                    if (!byName.TryGetValue(inputName, out var input))
                    {
                        throw new ModelException($"node '{node.Name}' reads '{inputName}', which is not in the model");
                    }

                    if (!state.TryGetValue(inputName, out var s))
                    {
                        state[inputName] = 1;
                        stack.Push((input, 0));
                    }
                    else if (s == 1)
                    {
                        throw new ModelException($"the model's graph has a cycle through node '{inputName}'");
                    }

                    continue;
                }

                state[node.Name] = 2;
                order.Add(node);
            }
        }

        return order;
    }
}
