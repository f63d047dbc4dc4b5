using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.Optimization;

/// <summary>
/// Cleans a converted graph into plain NCHW: sinks Transposes through element-wise ops and concatenations
/// until they meet their inverses and cancel, folds zero Pads into convolutions and pools, folds bias
/// Adds into convolutions, and drops Identities and dead nodes. Each pass keeps the graph's outputs exact.
/// </summary>
internal static class GraphOptimizer
{
    private static readonly HashSet<string> UnaryElementwise = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Exp", "Neg", "Sqrt", "Reciprocal", "Abs", "Cast", "Identity",
        "Clip", // its other inputs, min and max, are scalars
    };

    private static readonly HashSet<string> BinaryElementwise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow",
    };

    public static void Run(OnnxGraph graph)
    {
        EliminateIdentities(graph);
        var changed = true;
        while (changed)
        {
            changed = false;
            changed |= CancelTransposePairs(graph);
            changed |= SplitSharedTransposes(graph);
            changed |= SinkTransposes(graph);
            graph.RemoveDeadNodes();
        }

        MergeDuplicateTransposes(graph);

        FoldPads(graph);
        FoldConvBias(graph);
        EliminateIdentities(graph);
        graph.RemoveDeadNodes();
        graph.SortTopologically();
    }

    /// <summary>Removes Identity nodes; one that feeds a graph output gives its name to its producer's output.</summary>
    public static void EliminateIdentities(OnnxGraph graph)
    {
        foreach (var identity in graph.Nodes.Where(n => n.OpType == "Identity").ToList())
        {
            var input = identity.Inputs[0];
            var output = identity.Outputs[0];
            if (!graph.IsGraphOutput(output))
            {
                graph.ReplaceUses(output, input);
                graph.Nodes.Remove(identity);
                continue;
            }

            var producers = graph.Producers();
            if (!producers.TryGetValue(input, out var producer) || graph.IsGraphOutput(input))
            {
                continue;
            }

            // The producer's output takes the graph output's name; its other readers follow the rename.
            var index = producer.Outputs.IndexOf(input);
            producer.Outputs[index] = output;
            graph.Nodes.Remove(identity);
            graph.ReplaceUses(input, output);
        }
    }

    private static bool IsTranspose(OnnxNode? node) => node is not null && node.OpType == "Transpose" && node.GetInts("perm") is not null;

    /// <summary>Transpose(Transpose(x)) becomes x when the permutations cancel, one Transpose otherwise.</summary>
    private static bool CancelTransposePairs(OnnxGraph graph)
    {
        var changed = false;
        var producers = graph.Producers();
        foreach (var second in graph.Nodes.Where(IsTranspose).ToList())
        {
            if (!producers.TryGetValue(second.Inputs[0], out var first) || !IsTranspose(first))
            {
                continue;
            }

            var p1 = first.GetInts("perm")!;
            var p2 = second.GetInts("perm")!;
            var composed = p2.Select(i => p1[i]).ToArray();
            var source = first.Inputs[0];
            if (composed.Select((axis, i) => axis == i).All(b => b) && !graph.IsGraphOutput(second.Outputs[0]))
            {
                graph.ReplaceUses(second.Outputs[0], source);
                graph.Nodes.Remove(second);
            }
            else
            {
                second.Inputs[0] = source;
                second.Attributes["perm"] = composed;
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>Moves a Transpose below the op reading it, so that it can meet and cancel the next one.</summary>
    private static bool SinkTransposes(OnnxGraph graph)
    {
        var changed = false;
        foreach (var node in graph.Nodes.ToList())
        {
            var producers = graph.Producers();
            var consumers = graph.Consumers();
            if (UnaryElementwise.Contains(node.OpType))
            {
                changed |= SinkThroughUnary(graph, node, producers, consumers);
            }
            else if (BinaryElementwise.Contains(node.OpType))
            {
                changed |= SinkThroughBinary(graph, node, producers, consumers);
            }
            else if (node.OpType == "Concat")
            {
                changed |= SinkThroughConcat(graph, node, producers, consumers);
            }
            else if (IsKeepDimsReduction(node))
            {
                changed |= SinkThroughReduction(graph, node, producers, consumers);
            }
        }

        return changed;
    }

    private static bool IsKeepDimsReduction(OnnxNode node) =>
        node.OpType is "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "ReduceProd" && node.GetInt("keepdims", 1) == 1 && node.Inputs.Count == 2;

    private static bool CanTakeTranspose(OnnxNode node) =>
        UnaryElementwise.Contains(node.OpType) || BinaryElementwise.Contains(node.OpType) || node.OpType == "Concat" || IsKeepDimsReduction(node);

    /// <summary>
    /// A Transpose read by several element-wise ops (hard-swish reads its input three times, a squeeze-excite
    /// block twice) gets a copy per reader, so each can sink on its own; copies that do not meet an inverse are
    /// merged again at the end.
    /// </summary>
    private static bool SplitSharedTransposes(OnnxGraph graph)
    {
        var changed = false;
        var consumers = graph.Consumers();
        foreach (var transpose in graph.Nodes.Where(IsTranspose).ToList())
        {
            var output = transpose.Outputs[0];
            if (graph.IsGraphOutput(output) || !consumers.TryGetValue(output, out var readers))
            {
                continue;
            }

            var distinct = readers.Distinct().ToList();
            if (distinct.Count < 2 || distinct.Count != readers.Count || !distinct.All(CanTakeTranspose))
            {
                continue;
            }

            foreach (var reader in distinct.Skip(1))
            {
                var copy = new OnnxNode("Transpose", graph.UniqueName(transpose.Name + "/copy"), [transpose.Inputs[0]], [graph.UniqueName(output + "/copy")]);
                copy.Attributes["perm"] = transpose.GetInts("perm")!;
                graph.Nodes.Insert(graph.Nodes.IndexOf(transpose) + 1, copy);
                for (var i = 0; i < reader.Inputs.Count; i++)
                {
                    if (reader.Inputs[i] == output)
                    {
                        reader.Inputs[i] = copy.Outputs[0];
                    }
                }
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>Transposes of the same value by the same permutation become one.</summary>
    private static void MergeDuplicateTransposes(OnnxGraph graph)
    {
        var seen = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var transpose in graph.Nodes.Where(IsTranspose).ToList())
        {
            var key = transpose.Inputs[0] + "|" + string.Join(',', transpose.GetInts("perm")!);
            if (!seen.TryGetValue(key, out var first))
            {
                seen[key] = transpose;
                continue;
            }

            if (graph.IsGraphOutput(transpose.Outputs[0]))
            {
                continue;
            }

            graph.ReplaceUses(transpose.Outputs[0], first.Outputs[0]);
            graph.Nodes.Remove(transpose);
        }
    }

    /// <summary>A reduction keeping its axes commutes with a Transpose: it reduces the permuted axes instead.</summary>
    private static bool SinkThroughReduction(OnnxGraph graph, OnnxNode node, Dictionary<string, OnnxNode> producers, Dictionary<string, List<OnnxNode>> consumers)
    {
        var transpose = PrivateTranspose(graph, node.Inputs[0], producers, consumers);
        if (transpose is null || !graph.Initializers.TryGetValue(node.Inputs[1], out var axesTensor))
        {
            return false;
        }

        var perm = transpose.GetInts("perm")!;
        var axes = axesTensor.ToLongArray().Select(a => perm[a < 0 ? a + perm.Length : a]).ToArray();
        node.Inputs[0] = transpose.Inputs[0];
        node.Inputs[1] = AddInitializer(graph, TensorData.FromInt64(axes), node.Inputs[1]);
        AppendTranspose(graph, node, perm);
        return true;
    }

    /// <summary>A Transpose read by this node alone and not a graph output, so moving it changes nothing else.</summary>
    private static OnnxNode? PrivateTranspose(OnnxGraph graph, string value, Dictionary<string, OnnxNode> producers, Dictionary<string, List<OnnxNode>> consumers)
    {
        if (!producers.TryGetValue(value, out var producer) || !IsTranspose(producer) || graph.IsGraphOutput(value))
        {
            return null;
        }

        return consumers.TryGetValue(value, out var readers) && readers.Count == 1 ? producer : null;
    }

    private static bool SinkThroughUnary(OnnxGraph graph, OnnxNode node, Dictionary<string, OnnxNode> producers, Dictionary<string, List<OnnxNode>> consumers)
    {
        var transpose = PrivateTranspose(graph, node.Inputs[0], producers, consumers);
        if (transpose is null)
        {
            return false;
        }

        node.Inputs[0] = transpose.Inputs[0];
        AppendTranspose(graph, node, transpose.GetInts("perm")!);
        return true;
    }

    private static bool SinkThroughBinary(OnnxGraph graph, OnnxNode node, Dictionary<string, OnnxNode> producers, Dictionary<string, List<OnnxNode>> consumers)
    {
        long[]? perm = null;
        var replacements = new string[2];
        for (var i = 0; i < 2; i++)
        {
            var transpose = PrivateTranspose(graph, node.Inputs[i], producers, consumers);
            if (transpose is null)
            {
                continue;
            }

            var p = transpose.GetInts("perm")!;
            if (perm is not null && !perm.SequenceEqual(p))
            {
                return false;
            }

            perm = p;
            replacements[i] = transpose.Inputs[0];
        }

        if (perm is null)
        {
            return false;
        }

        var inverse = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            inverse[perm[i]] = i;
        }

        for (var i = 0; i < 2; i++)
        {
            if (replacements[i] is not null)
            {
                continue;
            }

            // The other operand must be a constant: it is re-laid out to the pre-transpose order.
            if (!graph.Initializers.TryGetValue(node.Inputs[i], out var constant) || constant.Rank > perm.Length)
            {
                return false;
            }

            var full = constant.WithShape([.. Enumerable.Repeat(1L, perm.Length - constant.Rank), .. constant.Shape]);
            replacements[i] = AddInitializer(graph, full.Transpose(inverse), node.Inputs[i]);
        }

        node.Inputs[0] = replacements[0];
        node.Inputs[1] = replacements[1];
        AppendTranspose(graph, node, perm);
        return true;
    }

    private static bool SinkThroughConcat(OnnxGraph graph, OnnxNode node, Dictionary<string, OnnxNode> producers, Dictionary<string, List<OnnxNode>> consumers)
    {
        long[]? perm = null;
        var sources = new List<string>();
        foreach (var input in node.Inputs)
        {
            var transpose = PrivateTranspose(graph, input, producers, consumers);
            var p = transpose?.GetInts("perm");
            if (p is null || (perm is not null && !perm.SequenceEqual(p)))
            {
                return false;
            }

            perm = p;
            sources.Add(transpose!.Inputs[0]);
        }

        if (perm is null)
        {
            return false;
        }

        var axis = node.GetInt("axis", 0);
        if (axis < 0)
        {
            axis += perm.Length;
        }

        for (var i = 0; i < sources.Count; i++)
        {
            node.Inputs[i] = sources[i];
        }

        node.Attributes["axis"] = perm[axis];
        AppendTranspose(graph, node, perm);
        return true;
    }

    /// <summary>Gives <paramref name="node"/> a new output and puts a Transpose after it that produces the old one.</summary>
    private static void AppendTranspose(OnnxGraph graph, OnnxNode node, long[] perm)
    {
        var original = node.Outputs[0];
        var moved = graph.UniqueName(node.Name + "/pre_transpose");
        node.Outputs[0] = moved;
        var transpose = new OnnxNode("Transpose", graph.UniqueName(node.Name + "/transpose"), [moved], [original]);
        transpose.Attributes["perm"] = perm;
        graph.Nodes.Insert(graph.Nodes.IndexOf(node) + 1, transpose);
    }

    private static string AddInitializer(OnnxGraph graph, TensorData tensor, string hint)
    {
        var name = graph.UniqueName(hint);
        graph.Initializers[name] = tensor;
        return name;
    }

    /// <summary>
    /// A constant Pad on the spatial axes in front of a Conv (zero padding) or a MaxPool (padding that can never
    /// win a max) becomes the op's own pads attribute.
    /// </summary>
    private static void FoldPads(OnnxGraph graph)
    {
        var producers = graph.Producers();
        foreach (var node in graph.Nodes.Where(n => n.OpType is "Conv" or "MaxPool").ToList())
        {
            if (!producers.TryGetValue(node.Inputs[0], out var pad) || pad.OpType != "Pad" || pad.GetString("mode") is not (null or "constant"))
            {
                continue;
            }

            if (pad.Inputs.Count > 3 && pad.Inputs[3].Length > 0)
            {
                continue;
            }

            if (!graph.Initializers.TryGetValue(pad.Inputs[1], out var padsTensor) || padsTensor.Count != 8)
            {
                continue;
            }

            var value = 0.0;
            if (pad.Inputs.Count > 2 && pad.Inputs[2].Length > 0)
            {
                if (!graph.Initializers.TryGetValue(pad.Inputs[2], out var v))
                {
                    continue;
                }

                value = v.GetAsDouble(0);
            }

            var foldable = node.OpType == "Conv" ? value == 0 : value <= -3.0e38;
            var pads = padsTensor.ToLongArray();
            if (!foldable || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || node.GetString("auto_pad") is not (null or "NOTSET"))
            {
                continue;
            }

            var own = node.GetInts("pads") ?? [0, 0, 0, 0];
            node.Attributes["pads"] = new[] { own[0] + pads[2], own[1] + pads[3], own[2] + pads[6], own[3] + pads[7] };
            node.Inputs[0] = pad.Inputs[0];
        }

        graph.RemoveDeadNodes();
    }

    /// <summary>Conv followed by Add of a per-channel constant becomes a Conv with that bias.</summary>
    private static void FoldConvBias(OnnxGraph graph)
    {
        var producers = graph.Producers();
        var consumers = graph.Consumers();
        foreach (var add in graph.Nodes.Where(n => n.OpType == "Add").ToList())
        {
            for (var side = 0; side < 2; side++)
            {
                if (!producers.TryGetValue(add.Inputs[side], out var conv) || conv.OpType != "Conv"
                    || consumers[add.Inputs[side]].Count != 1 || graph.IsGraphOutput(add.Inputs[side])
                    || !graph.Initializers.TryGetValue(add.Inputs[1 - side], out var constant)
                    || !graph.Initializers.TryGetValue(conv.Inputs[1], out var weight))
                {
                    continue;
                }

                var channels = weight.Shape[0];
                var shape = constant.Shape.SkipWhile(d => d == 1).ToArray();
                var perChannel = constant.Count == channels && (shape.Length == 0 || shape[0] == channels) && shape.Skip(1).All(d => d == 1) && constant.Rank >= 3;
                if (!perChannel || !constant.IsFloat)
                {
                    continue;
                }

                var bias = constant.ToFloatArray();
                if (conv.Inputs.Count > 2 && graph.Initializers.TryGetValue(conv.Inputs[2], out var existing))
                {
                    var e = existing.Floats!;
                    for (var i = 0; i < bias.Length; i++)
                    {
                        bias[i] += e[i];
                    }
                }

                var biasName = AddInitializer(graph, TensorData.FromFloats(bias, channels), conv.Name + "/bias");
                if (conv.Inputs.Count > 2)
                {
                    conv.Inputs[2] = biasName;
                }
                else
                {
                    conv.Inputs.Add(biasName);
                }

                var addOutput = add.Outputs[0];
                conv.Outputs[0] = addOutput;
                graph.Nodes.Remove(add);
                break;
            }
        }
    }
}
