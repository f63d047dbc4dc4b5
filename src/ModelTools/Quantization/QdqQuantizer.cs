using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>
/// Static post-training quantization into the QDQ format: every activation read or written by a quantized
/// node passes through QuantizeLinear → DequantizeLinear with calibrated scale and zero point; Conv weights
/// are per-channel symmetric int8 and biases int32 (scale = input scale × weight scale). ONNX Runtime fuses
/// these patterns into integer kernels on the CPU, and TensorRT reads the same Q/DQ pairs for INT8.
/// </summary>
public static class QdqQuantizer
{
    /// <summary>The activation tensors that need calibration ranges for this graph and these options.</summary>
    public static IReadOnlyCollection<string> TensorsToCalibrate(OnnxGraph graph, QuantizationOptions options)
    {
        var tensors = new HashSet<string>(StringComparer.Ordinal);
        var types = ElementTypeInference.Infer(graph);
        var fusedRelus = FusedRelus(graph, options);
        foreach (var node in QuantizedNodes(graph, options))
        {
            // Float data only: a Resize's sizes or a Reshape's shape are integer tensors and stay as they are.
            // A convolution whose only reader is a Relu is quantized behind the Relu (see FusedRelus).
            var outputs = fusedRelus.TryGetValue(node.Name, out var relu) ? relu.Outputs : node.Outputs;
            foreach (var value in node.Inputs.Take(node.OpType == "Conv" ? 1 : node.Inputs.Count).Concat(outputs))
            {
                if (value.Length > 0 && !graph.Initializers.ContainsKey(value) && (!types.TryGetValue(value, out var type) || type == ElementType.Float))
                {
                    tensors.Add(value);
                }
            }
        }

        return tensors;
    }

    public static OnnxGraph Quantize(OnnxGraph source, IReadOnlyDictionary<string, TensorRange> ranges, QuantizationOptions options)
    {
        var graph = OnnxModelFile.Copy(source);
        var quantized = QuantizedNodes(graph, options).ToList();
        var parameters = new Dictionary<string, (float Scale, int ZeroPoint)>(StringComparer.Ordinal);

        // Range-preserving ops pass their input's parameters on, in graph order, so producers come first.
        foreach (var value in TensorsToCalibrate(graph, options))
        {
            if (!ranges.TryGetValue(value, out var range))
            {
                throw new ToolInputException($"no calibration range for tensor '{value}'");
            }

            parameters[value] = ActivationParameters(range, options.Activations);
        }

        var producers = graph.Producers();
        foreach (var node in quantized.Where(n => QuantizationOptions.RangePreservingOpTypes.Contains(n.OpType)))
        {
            if (parameters.TryGetValue(node.Inputs[0], out var p))
            {
                foreach (var output in node.Outputs)
                {
                    parameters[output] = p;
                }
            }
        }

        var consumers = graph.Consumers();
        var quantizedSet = quantized.ToHashSet();
        var fusedReluNodes = FusedRelus(graph, options).Values.ToHashSet();
        foreach (var (value, (scale, zeroPoint)) in parameters)
        {
            var readers = consumers.GetValueOrDefault(value) ?? [];

            // Behind a quantized producer (or a Relu fused into one) every reader takes the dequantized value, so
            // that the producer ends in a QuantizeLinear and fuses into an integer kernel; behind a float producer
            // only quantized readers do.
            var producerQuantized = producers.TryGetValue(value, out var producer) && (quantizedSet.Contains(producer) || fusedReluNodes.Contains(producer));
            InsertQdq(graph, value, scale, zeroPoint, options.Activations, readers.Where(r => producerQuantized || quantizedSet.Contains(r)).ToList());
        }

        foreach (var conv in quantized.Where(n => n.OpType == "Conv"))
        {
            QuantizeConvParameters(graph, conv, parameters);
        }

        graph.Opsets[""] = Math.Max(graph.Opsets.GetValueOrDefault(""), 13);
        graph.Metadata["quantization"] = $"QDQ static; weights int8 per-channel symmetric; activations {options.Activations}; calibration {options.Method}"
            + (options.Method == CalibrationMethod.Percentile ? $" {options.Percentile}%" : string.Empty);
        graph.RemoveDeadNodes();
        graph.SortTopologically();
        return graph;
    }

    /// <summary>Nodes of the quantized op types, not kept in float, that compute on float tensors.</summary>
    private static IEnumerable<OnnxNode> QuantizedNodes(OnnxGraph graph, QuantizationOptions options)
    {
        var types = ElementTypeInference.Infer(graph);
        return graph.Nodes.Where(n => options.QuantizedOpTypes.Contains(n.OpType)
            && !options.KeepFloatNodes.Contains(n.Name)
            && n.Outputs.All(o => types.GetValueOrDefault(o) == ElementType.Float));
    }

    /// <summary>
    /// Quantized convolutions whose output is read by one Relu and nothing else (and is not a graph output), by
    /// convolution name. Such a convolution's output is not quantized; the Relu's is, with a range from 0, so
    /// that all 256 steps cover values the next layer sees (quantizing before the Relu spends about half of them
    /// on negatives it zeroes). ONNX Runtime drops a Relu whose QuantizeLinear has the lowest zero point and fuses
    /// the convolution with that QuantizeLinear into one integer kernel.
    /// </summary>
    private static Dictionary<string, OnnxNode> FusedRelus(OnnxGraph graph, QuantizationOptions options)
    {
        var consumers = graph.Consumers();
        var fused = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var conv in QuantizedNodes(graph, options).Where(n => n.OpType == "Conv" && n.Outputs.Count == 1))
        {
            var output = conv.Outputs[0];
            if (!graph.IsGraphOutput(output) && consumers.TryGetValue(output, out var readers) && readers.Count == 1
                && readers[0].OpType == "Relu" && !options.KeepFloatNodes.Contains(readers[0].Name))
            {
                fused[conv.Name] = readers[0];
            }
        }

        return fused;
    }

    internal static (float Scale, int ZeroPoint) ActivationParameters(TensorRange range, ActivationType type)
    {
        // The range must hold 0 exactly, so that zero padding and ReLU-like zeros are represented without error.
        var min = Math.Min(range.Min, 0f);
        var max = Math.Max(range.Max, 0f);
        var scale = (max - min) / 255f;
        if (scale <= 0 || !float.IsFinite(scale))
        {
            // Zero in every calibration frame (a squeeze-excite vector that a Relu always zeroed, for one): any
            // scale holds the zeros. A fine one keeps the biases of the convolutions reading it precise, since
            // their int32 step is this scale × the weight scale; a scale of 1 would round such a bias to whole
            // weight steps.
            scale = 1f / (1 << 16);
        }

        var (qmin, qmax) = type == ActivationType.UInt8 ? (0, 255) : (-128, 127);
        var zeroPoint = (int)Math.Round(qmin - (min / scale));
        return (scale, Math.Clamp(zeroPoint, qmin, qmax));
    }

    /// <summary>
    /// value → QuantizeLinear → DequantizeLinear → each of <paramref name="readers"/> (one DequantizeLinear per
    /// reader, so that every node keeps its own QDQ unit). Other readers keep reading the original value.
    /// </summary>
    private static void InsertQdq(OnnxGraph graph, string value, float scale, int zeroPoint, ActivationType type, List<OnnxNode> readers)
    {
        var scaleName = graph.UniqueName(value + "/scale");
        graph.Initializers[scaleName] = TensorData.Scalar(scale);
        var zeroName = graph.UniqueName(value + "/zero_point");
        graph.Initializers[zeroName] = TensorData.FromBytes([type == ActivationType.UInt8 ? (byte)zeroPoint : unchecked((byte)(sbyte)zeroPoint)], type == ActivationType.UInt8 ? ElementType.UInt8 : ElementType.Int8);
        var quantizedValue = graph.UniqueName(value + "/quantized");
        graph.Nodes.Add(new OnnxNode("QuantizeLinear", graph.UniqueName(value + "/QuantizeLinear"), [value, scaleName, zeroName], [quantizedValue]));
        foreach (var reader in readers)
        {
            var dequantized = graph.UniqueName(value + "/dequantized");
            graph.Nodes.Add(new OnnxNode("DequantizeLinear", graph.UniqueName(value + "/DequantizeLinear"), [quantizedValue, scaleName, zeroName], [dequantized]));
            for (var i = 0; i < reader.Inputs.Count; i++)
            {
                if (reader.Inputs[i] == value && !(reader.OpType == "Conv" && i > 0))
                {
                    reader.Inputs[i] = dequantized;
                }
            }
        }
    }

    private static void QuantizeConvParameters(OnnxGraph graph, OnnxNode conv, Dictionary<string, (float Scale, int ZeroPoint)> parameters)
    {
        var weightName = conv.Inputs[1];
        if (!graph.Initializers.TryGetValue(weightName, out var weight) || !weight.IsFloat)
        {
            return;
        }

        // The bias is added to the int32 accumulator, whose scale is input scale × weight scale: it can only be
        // quantized when the input is.
        float[]? b = null;
        var inputScale = 0f;
        if (conv.Inputs.Count >= 3 && graph.Initializers.TryGetValue(conv.Inputs[2], out var bias)
            && OriginalInput(graph, conv.Inputs[0]) is { } inputValue && parameters.TryGetValue(inputValue, out var inputParameters))
        {
            b = bias.Floats!;
            inputScale = inputParameters.Scale;
        }

        var channels = (int)weight.Shape[0];
        var w = weight.Floats!;
        var scales = WeightScales(w, channels, b, inputScale);
        var perChannel = weight.Count / channels;
        var q = new byte[w.Length];
        for (var c = 0; c < channels; c++)
        {
            for (var i = 0; i < perChannel; i++)
            {
                var k = (c * perChannel) + i;
                q[k] = unchecked((byte)(sbyte)Math.Clamp((int)MathF.Round(w[k] / scales[c]), -127, 127));
            }
        }

        conv.Inputs[1] = AddPerChannelDequantize(
            graph,
            conv.Name + "/weight",
            TensorData.FromBytes(q, ElementType.Int8, weight.Shape),
            scales,
            TensorData.FromBytes(new byte[channels], ElementType.Int8, channels));

        if (b is null)
        {
            return;
        }

        var biasScales = new float[channels];
        var biasQ = new long[channels];
        for (var c = 0; c < channels; c++)
        {
            biasScales[c] = inputScale * scales[c];
            biasQ[c] = (long)Math.Clamp(Math.Round(b[c] / biasScales[c]), int.MinValue, int.MaxValue);
        }

        conv.Inputs[2] = AddPerChannelDequantize(
            graph,
            conv.Name + "/bias",
            TensorData.FromLongs(biasQ, ElementType.Int32, channels),
            biasScales,
            TensorData.FromLongs(new long[channels], ElementType.Int32, channels));
    }

    /// <summary>
    /// Symmetric int8 scales per output channel: max |w| / 127, so that the weights use [-127, 127] with zero point 0
    /// (integer kernels then need no weight offset). Two limits come from the bias, which is stored in int32 at
    /// input scale × weight scale: a channel whose weights are all zero (its output is its bias alone) takes the
    /// finest scale at which the bias still fits in int32, so that the bias stays exact instead of being rounded to
    /// a whole input step; and no channel takes a scale so fine that its bias would overflow int32.
    /// </summary>
    internal static float[] WeightScales(float[] w, int channels, float[]? bias, float inputScale)
    {
        var perChannel = w.Length / channels;
        var scales = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var maxAbs = 0f;
            for (var i = 0; i < perChannel; i++)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(w[(c * perChannel) + i]));
            }

            // Below this the bias overflows int32 (with a margin for rounding).
            var floor = bias is null || inputScale <= 0 ? 0f : Math.Abs(bias[c]) / (inputScale * (int.MaxValue / 2f));
            var scale = Math.Max(maxAbs / 127f, floor);
            scales[c] = scale > 0 && float.IsFinite(scale) ? scale : 1f / (1 << 20);
        }

        return scales;
    }

    /// <summary>Adds quantized values, per-channel scales and zero points, and a DequantizeLinear along axis 0; returns its output.</summary>
    private static string AddPerChannelDequantize(OnnxGraph graph, string prefix, TensorData quantized, float[] scales, TensorData zeroPoints)
    {
        var qName = graph.UniqueName(prefix + "_quantized");
        var sName = graph.UniqueName(prefix + "_scale");
        var zName = graph.UniqueName(prefix + "_zero_point");
        graph.Initializers[qName] = quantized;
        graph.Initializers[sName] = TensorData.FromFloats(scales, scales.Length);
        graph.Initializers[zName] = zeroPoints;
        var output = graph.UniqueName(prefix + "_dequantized");
        var node = new OnnxNode("DequantizeLinear", graph.UniqueName(prefix + "_DequantizeLinear"), [qName, sName, zName], [output]);
        node.Attributes["axis"] = 0L;
        graph.Nodes.Add(node);
        return output;
    }

    /// <summary>The float tensor behind a DequantizeLinear output (the value the Q/DQ pair was put on).</summary>
    private static string? OriginalInput(OnnxGraph graph, string dequantized)
    {
        var producers = graph.Producers();
        if (!producers.TryGetValue(dequantized, out var dq) || dq.OpType != "DequantizeLinear")
        {
            return null;
        }

        return producers.TryGetValue(dq.Inputs[0], out var q) && q.OpType == "QuantizeLinear" ? q.Inputs[0] : null;
    }
}
