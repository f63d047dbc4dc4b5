namespace EdgeVision.ModelTools.Onnx;

/// <summary>A node of the in-memory ONNX graph. Attribute values are long, float, string, long[], float[] or <see cref="TensorData"/>.</summary>
public sealed class OnnxNode
{
    public OnnxNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, string domain = "")
    {
        OpType = opType;
        Name = name;
        Inputs = inputs.ToList();
        Outputs = outputs.ToList();
        Domain = domain;
    }

    public string OpType { get; set; }

    public string Name { get; set; }

    public string Domain { get; set; }

    /// <summary>Input value names; an empty string is an omitted optional input.</summary>
    public List<string> Inputs { get; }

    public List<string> Outputs { get; }

    public Dictionary<string, object> Attributes { get; } = new(StringComparer.Ordinal);

    public long GetInt(string name, long fallback) => Attributes.TryGetValue(name, out var v) ? (long)v : fallback;

    public float GetFloat(string name, float fallback) => Attributes.TryGetValue(name, out var v) ? (float)v : fallback;

    public string? GetString(string name) => Attributes.TryGetValue(name, out var v) ? (string)v : null;

    public long[]? GetInts(string name) => Attributes.TryGetValue(name, out var v) ? (long[])v : null;

    public override string ToString() => $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})";
}

/// <summary>A graph input or output: name, element type and dimensions (a dimension is a number or a symbolic name).</summary>
public sealed record OnnxValueInfo(string Name, ElementType Type, IReadOnlyList<object> Dims);

/// <summary>
/// The in-memory ONNX model the toolchain works on: nodes in topological order, initializers, inputs and outputs,
/// opset and metadata. <see cref="OnnxModelFile"/> reads and writes it as an ONNX protobuf file.
/// </summary>
public sealed class OnnxGraph
{
    public string Name { get; set; } = "graph";

    public List<OnnxNode> Nodes { get; } = new();

    public Dictionary<string, TensorData> Initializers { get; } = new(StringComparer.Ordinal);

    public List<OnnxValueInfo> Inputs { get; } = new();

    public List<OnnxValueInfo> Outputs { get; } = new();

    /// <summary>Opset version per domain ("" is the default ONNX domain).</summary>
    public Dictionary<string, long> Opsets { get; } = new(StringComparer.Ordinal) { [""] = 18 };

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public string ProducerName { get; set; } = "edgevision-modeltools";

    public string DocString { get; set; } = string.Empty;

    private int _uniqueCounter;

    /// <summary>A value or node name not used anywhere in the graph yet.</summary>
    public string UniqueName(string hint)
    {
        var used = new HashSet<string>(Initializers.Keys, StringComparer.Ordinal);
        foreach (var n in Nodes)
        {
            used.Add(n.Name);
            used.UnionWith(n.Outputs);
        }

        used.UnionWith(Inputs.Select(i => i.Name));
        string candidate;
        do
        {
            candidate = $"{hint}__{_uniqueCounter++}";
        }
        while (used.Contains(candidate));

        return candidate;
    }

    /// <summary>Map of value name → the node producing it.</summary>
    public Dictionary<string, OnnxNode> Producers()
    {
        var map = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            foreach (var o in node.Outputs)
            {
                if (o.Length > 0)
                {
                    map[o] = node;
                }
            }
        }

        return map;
    }

    /// <summary>Map of value name → the nodes reading it.</summary>
    public Dictionary<string, List<OnnxNode>> Consumers()
    {
        var map = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            foreach (var i in node.Inputs)
            {
                if (i.Length == 0)
                {
                    continue;
                }

                if (!map.TryGetValue(i, out var list))
                {
                    map[i] = list = new List<OnnxNode>();
                }

                if (!list.Contains(node))
                {
                    list.Add(node);
                }
            }
        }

        return map;
    }

    public bool IsGraphOutput(string value) => Outputs.Any(o => o.Name == value);

    /// <summary>Makes every reader of <paramref name="from"/> read <paramref name="to"/> instead (graph outputs excepted).</summary>
    public void ReplaceUses(string from, string to)
    {
        foreach (var node in Nodes)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i] == from)
                {
                    node.Inputs[i] = to;
                }
            }
        }
    }

    /// <summary>Sorts nodes so that every node comes after the producers of its inputs.</summary>
    public void SortTopologically()
    {
        var producers = Producers();
        var visited = new HashSet<OnnxNode>();
        var onStack = new HashSet<OnnxNode>();
        var order = new List<OnnxNode>(Nodes.Count);
        foreach (var node in Nodes)
        {
            Visit(node);
        }

        Nodes.Clear();
        Nodes.AddRange(order);

        void Visit(OnnxNode root)
        {
            if (visited.Contains(root))
            {
                return;
            }

            // Iterative depth-first search: real models are deep enough to overflow a recursive one.
            var stack = new Stack<(OnnxNode Node, int NextInput)>();
            stack.Push((root, 0));
            onStack.Add(root);
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Count)
                {
                    stack.Push((node, next + 1));
                    if (producers.TryGetValue(node.Inputs[next], out var producer) && !visited.Contains(producer))
                    {
                        if (!onStack.Add(producer))
                        {
                            throw new InvalidOperationException($"graph has a cycle through {producer}");
                        }

                        stack.Push((producer, 0));
                    }

                    continue;
                }

                onStack.Remove(node);
                if (visited.Add(node))
                {
                    order.Add(node);
                }
            }
        }
    }

    /// <summary>Removes nodes and initializers that no graph output depends on.</summary>
    public int RemoveDeadNodes()
    {
        var producers = Producers();
        var live = new HashSet<OnnxNode>();
        var liveValues = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<string>(Outputs.Select(o => o.Name));
        while (work.Count > 0)
        {
            var value = work.Pop();
            if (!liveValues.Add(value))
            {
                continue;
            }

            if (producers.TryGetValue(value, out var node) && live.Add(node))
            {
                foreach (var input in node.Inputs.Where(i => i.Length > 0))
                {
                    work.Push(input);
                }
            }
        }

        var removed = Nodes.RemoveAll(n => !live.Contains(n));
        foreach (var name in Initializers.Keys.Where(k => !liveValues.Contains(k)).ToList())
        {
            Initializers.Remove(name);
        }

        return removed;
    }
}
