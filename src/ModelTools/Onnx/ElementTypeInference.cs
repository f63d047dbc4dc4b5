namespace EdgeVision.ModelTools.Onnx;

/// <summary>
/// The element type of every value in a graph, propagated from inputs and initializers through the ops this
/// toolchain emits. Quantization uses it to leave integer shape arithmetic (Shape → Slice → Concat) alone.
/// </summary>
internal static class ElementTypeInference
{
    public static Dictionary<string, ElementType> Infer(OnnxGraph graph)
    {
        var types = new Dictionary<string, ElementType>(StringComparer.Ordinal);
        foreach (var input in graph.Inputs)
        {
            types[input.Name] = input.Type;
        }

        foreach (var (name, tensor) in graph.Initializers)
        {
            types[name] = tensor.Type;
        }

        graph.SortTopologically();
        foreach (var node in graph.Nodes)
        {
            ElementType? type = node.OpType switch
            {
                "Shape" or "Size" => ElementType.Int64,
                "Cast" => (ElementType)node.GetInt("to", (long)ElementType.Float),
                "QuantizeLinear" => node.Inputs.Count > 2 && types.TryGetValue(node.Inputs[2], out var z) ? z : ElementType.UInt8,
                "DequantizeLinear" => ElementType.Float,
                "Equal" or "Less" or "Greater" or "Not" or "And" or "Or" => ElementType.Bool,
                _ => node.Inputs.Where(i => i.Length > 0).Select(i => types.TryGetValue(i, out var t) ? t : (ElementType?)null).FirstOrDefault(t => t is not null),
            };
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
            {
                if (type is { } t)
                {
                    types[output] = t;
                }
            }
        }

        return types;
    }
}
