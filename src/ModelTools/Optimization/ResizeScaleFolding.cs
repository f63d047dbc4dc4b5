using EdgeVision.ModelTools.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeVision.ModelTools.Optimization;

/// <summary>
/// Gives each Resize whose target size is computed at run time (its <c>sizes</c> input) constant <c>scales</c>
/// instead, for a graph whose input has fixed height and width. The converter writes run-time sizes because the
/// batch must stay symbolic; with constant scales ONNX Runtime's layout pass can keep the Resize in NHWC between
/// NHWC convolutions instead of transposing around it. The shapes come from running the graph once (batch 1)
/// with each Resize's input and output exposed. A Resize is changed only when its scales reproduce the same
/// output size and the same coordinate mapping: batch and channels unchanged, and floor(input × scale) equal
/// to the output on each axis, the scale being the output/input ratio ONNX Runtime derives from sizes itself.
/// </summary>
internal static class ResizeScaleFolding
{
    /// <summary>Rewrites what it can and returns the number of Resize nodes changed.</summary>
    public static int Run(OnnxGraph graph)
    {
        var resizes = graph.Nodes
            .Where(n => n.OpType == "Resize" && n.Inputs.Count >= 4 && n.Inputs[3].Length > 0 && !graph.Initializers.ContainsKey(n.Inputs[3]))
            .ToList();
        if (resizes.Count == 0 || graph.Inputs.Count != 1 || !HasFixedSpatialShape(graph.Inputs[0]))
        {
            return 0;
        }

        var shapes = ProbeShapes(graph, resizes.SelectMany(n => new[] { n.Inputs[0], n.Outputs[0] }).Distinct(StringComparer.Ordinal).ToList());
        var changed = 0;
        foreach (var resize in resizes)
        {
            var input = shapes[resize.Inputs[0]];
            var output = shapes[resize.Outputs[0]];
            if (ScalesFor(input, output) is not { } scales)
            {
                continue;
            }

            var name = graph.UniqueName($"{resize.Name}/scales");
            graph.Initializers[name] = TensorData.FromFloats(scales, scales.Length);
            resize.Inputs.RemoveRange(2, resize.Inputs.Count - 2);
            resize.Inputs.Add(name); // (X, roi, scales): roi stays as it was, omitted or not

            changed++;
        }

        graph.RemoveDeadNodes();
        return changed;
    }

    /// <summary>The scales that give exactly <paramref name="output"/> from <paramref name="input"/>, or null.</summary>
    internal static float[]? ScalesFor(IReadOnlyList<long> input, IReadOnlyList<long> output)
    {
        if (input.Count != output.Count || input.Count < 3 || input[0] != output[0] || input[1] != output[1])
        {
            return null;
        }

        var scales = new float[input.Count];
        for (var axis = 0; axis < input.Count; axis++)
        {
            if (input[axis] <= 0 || output[axis] <= 0)
            {
                return null;
            }

            scales[axis] = (float)output[axis] / input[axis];
            if ((long)Math.Floor((double)input[axis] * scales[axis]) != output[axis])
            {
                return null;
            }
        }

        return scales;
    }

    private static bool HasFixedSpatialShape(OnnxValueInfo input) =>
        input.Type == ElementType.Float && input.Dims is { Count: 4 } dims && dims.Skip(1).All(d => d is long and > 0);

    private static Dictionary<string, long[]> ProbeShapes(OnnxGraph graph, IReadOnlyList<string> values)
    {
        var probe = OnnxModelFile.Copy(graph);
        foreach (var value in values.Where(v => !probe.IsGraphOutput(v)))
        {
            probe.Outputs.Add(new OnnxValueInfo(value, ElementType.Float, null));
        }

        var input = probe.Inputs[0];
        var shape = input.Dims!.Select(d => d is long and > 0 ? (long)d : 1L).ToArray();
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelFile.ToBytes(probe), options);
        var zeros = new DenseTensor<float>(shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input.Name, zeros)], values);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().Dimensions.ToArray().Select(d => (long)d).ToArray(), StringComparer.Ordinal);
    }
}
