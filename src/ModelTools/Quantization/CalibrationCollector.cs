using EdgeVision.ModelTools.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>
/// Runs the float model on calibration inputs with every tensor of interest exposed as an extra output,
/// and records each tensor's range (MinMax, or a percentile or least-error range from a histogram in a second pass).
/// <c>onFrame</c> hears (pass, passes, frames done in the pass) after each frame.
/// </summary>
public static class CalibrationCollector
{
    public static Dictionary<string, TensorRange> Collect(
        OnnxGraph graph,
        IReadOnlyCollection<string> tensors,
        Func<IEnumerable<float[]>> inputs,
        QuantizationOptions options,
        int threads,
        Action<int, int, int>? onFrame = null)
    {
        var passes = options.Method == CalibrationMethod.MinMax ? 1 : 2;
        var augmented = OnnxModelFile.Copy(graph);
        foreach (var name in tensors.Where(t => !augmented.IsGraphOutput(t)))
        {
            augmented.Outputs.Add(new OnnxValueInfo(name, ElementType.Float, null));
        }

        var input = graph.Inputs.Single();
        var shape = (input.Dims ?? throw new ToolInputException($"model input '{input.Name}' has no declared shape")).Select(d => d is long l ? l : 1L).ToArray();
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(OnnxModelFile.ToBytes(augmented), sessionOptions);
        var names = tensors.ToArray();

        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        var count = 0;
        foreach (var frame in inputs())
        {
            Run(session, input.Name, frame, shape, names, (name, values) =>
            {
                var r = MinMax(values);
                ranges[name] = ranges.TryGetValue(name, out var old) ? old.Union(r) : r;
            });
            count++;
            onFrame?.Invoke(1, passes, count);
        }

        if (count == 0)
        {
            throw new ToolInputException("calibration needs at least one input frame");
        }

        if (options.Method == CalibrationMethod.MinMax)
        {
            return ranges;
        }

        var histograms = names.ToDictionary(n => n, n => new ValueHistogram(ranges[n]), StringComparer.Ordinal);
        var histogrammed = 0;
        foreach (var frame in inputs())
        {
            Run(session, input.Name, frame, shape, names, (name, values) => histograms[name].Add(values));
            onFrame?.Invoke(2, passes, ++histogrammed);
        }

        // A model output's rare extremes are its answers (a detector's few positive class logits among a heat map
        // of negatives): clipping them as outliers would cap every score, so those tensors keep the full range.
        var outputs = ModelOutputTensors(graph, names);
        return histograms.ToDictionary(
            p => p.Key,
            p => outputs.Contains(p.Key) ? ranges[p.Key]
                : options.Method == CalibrationMethod.Mse ? p.Value.LeastErrorRange()
                : p.Value.Range(options.Percentile),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The tensors among <paramref name="tensors"/> that are a graph output, or reach one through a chain of single
    /// readers that only reorder or monotonically rescale values (Sigmoid, Transpose, Reshape, a multiplication
    /// by a constant, and the like).
    /// </summary>
    internal static HashSet<string> ModelOutputTensors(OnnxGraph graph, IEnumerable<string> tensors)
    {
        var consumers = graph.Consumers();
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            var value = tensor;
            for (var step = 0; step < 16; step++)
            {
                if (graph.IsGraphOutput(value))
                {
                    result.Add(tensor);
                    break;
                }

                if (!consumers.TryGetValue(value, out var readers) || readers.Count != 1 || !PassesValuesOn(graph, readers[0], value))
                {
                    break;
                }

                value = readers[0].Outputs[0];
            }
        }

        return result;
    }

    private static bool PassesValuesOn(OnnxGraph graph, OnnxNode node, string value) => node.OpType switch
    {
        "Sigmoid" or "Transpose" or "Reshape" or "Identity" or "Flatten" or "Squeeze" or "Unsqueeze" => node.Inputs[0] == value,
        "Mul" or "Div" => node.Inputs.Count == 2 && node.Inputs.Count(i => i == value) == 1
            && graph.Initializers.TryGetValue(node.Inputs.First(i => i != value), out var constant) && constant.Count == 1,
        _ => false,
    };

    private static void Run(InferenceSession session, string inputName, float[] frame, long[] shape, string[] names, Action<string, ReadOnlySpan<float>> observe)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(frame, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [value], names);
        for (var i = 0; i < names.Length; i++)
        {
            observe(names[i], outputs[i].GetTensorDataAsSpan<float>());
        }
    }

    private static TensorRange MinMax(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return new TensorRange(min, max);
    }
}
