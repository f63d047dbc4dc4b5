using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.Profiling;

/// <summary>
/// One dense 3×3 convolution (same padding, stride 1) as two ONNX models: in float, and in the QDQ form the
/// quantizer writes (uint8 activations, int8 per-channel weights, int32 bias) that ONNX Runtime fuses into a
/// QLinearConv. Timing both says what the CPU gives a convolution in each precision: the ceiling a whole network
/// is measured against.
/// </summary>
public static class ConvolutionBenchmark
{
    /// <summary>Multiply-accumulates of one run.</summary>
    public static double MultiplyAccumulates(int channels, int size) => (double)channels * channels * 9 * size * size;

    /// <summary>The float model: input <c>x</c> [1, C, S, S], output <c>y</c>.</summary>
    public static byte[] Float(int channels, int size, int seed = 7)
    {
        var (weights, bias) = Weights(channels, seed);
        var graph = Graph(channels, size);
        graph.Initializers["w"] = TensorData.FromFloats(weights, channels, channels, 3, 3);
        graph.Initializers["b"] = TensorData.FromFloats(bias, channels);
        graph.Nodes.Add(Conv("x", "w", "b", "y"));
        return OnnxModelFile.ToBytes(graph);
    }

    /// <summary>The QDQ model of the same convolution, inputs in [0, 1) and weights per output channel.</summary>
    public static byte[] Quantized(int channels, int size, int seed = 7)
    {
        var (weights, bias) = Weights(channels, seed);
        var graph = Graph(channels, size);
        const float inputScale = 1f / 255f;
        var weightScales = new float[channels];
        var quantized = new byte[weights.Length];
        var per = channels * 9;
        for (var o = 0; o < channels; o++)
        {
            var max = 0f;
            for (var i = 0; i < per; i++)
            {
                max = MathF.Max(max, MathF.Abs(weights[(o * per) + i]));
            }

            weightScales[o] = max > 0 ? max / 127f : 1f;
            for (var i = 0; i < per; i++)
            {
                quantized[(o * per) + i] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(weights[(o * per) + i] / weightScales[o]), -127, 127));
            }
        }

        graph.Initializers["x_scale"] = TensorData.Scalar(inputScale);
        graph.Initializers["x_zero"] = TensorData.FromBytes([0], ElementType.UInt8);
        graph.Initializers["w_q"] = TensorData.FromBytes(quantized, ElementType.Int8, channels, channels, 3, 3);
        graph.Initializers["w_scale"] = TensorData.FromFloats(weightScales, channels);
        graph.Initializers["w_zero"] = TensorData.FromBytes(new byte[channels], ElementType.Int8, channels);
        graph.Initializers["b_q"] = TensorData.FromLongs([.. bias.Select((b, o) => (long)MathF.Round(b / (inputScale * weightScales[o])))], ElementType.Int32, channels);
        graph.Initializers["b_scale"] = TensorData.FromFloats([.. weightScales.Select(s => s * inputScale)], channels);
        graph.Initializers["b_zero"] = TensorData.FromLongs(new long[channels], ElementType.Int32, channels);
        graph.Initializers["y_scale"] = TensorData.Scalar(0.05f);
        graph.Initializers["y_zero"] = TensorData.FromBytes([128], ElementType.UInt8);
        graph.Nodes.Add(new OnnxNode("QuantizeLinear", "x_q", ["x", "x_scale", "x_zero"], ["x_q"]));
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", "x_dq", ["x_q", "x_scale", "x_zero"], ["x_dq"]));
        graph.Nodes.Add(PerChannel(new OnnxNode("DequantizeLinear", "w_dq", ["w_q", "w_scale", "w_zero"], ["w_dq"])));
        graph.Nodes.Add(PerChannel(new OnnxNode("DequantizeLinear", "b_dq", ["b_q", "b_scale", "b_zero"], ["b_dq"])));
        graph.Nodes.Add(Conv("x_dq", "w_dq", "b_dq", "y_float"));
        graph.Nodes.Add(new OnnxNode("QuantizeLinear", "y_q", ["y_float", "y_scale", "y_zero"], ["y_q"]));
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", "y", ["y_q", "y_scale", "y_zero"], ["y"]));
        return OnnxModelFile.ToBytes(graph);
    }

    private static OnnxNode PerChannel(OnnxNode node)
    {
        node.Attributes["axis"] = 0L;
        return node;
    }

    private static OnnxGraph Graph(int channels, int size)
    {
        var graph = new OnnxGraph { Name = "conv3x3" };
        graph.Opsets[""] = 18;
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, [1, channels, size, size]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, [1, channels, size, size]));
        return graph;
    }

    private static OnnxNode Conv(string input, string weights, string bias, string output)
    {
        var node = new OnnxNode("Conv", "conv", [input, weights, bias], [output]);
        node.Attributes["kernel_shape"] = new long[] { 3, 3 };
        node.Attributes["pads"] = new long[] { 1, 1, 1, 1 };
        return node;
    }

    private static (float[] Weights, float[] Bias) Weights(int channels, int seed)
    {
        var random = new Random(seed);
        var scale = MathF.Sqrt(2f / (channels * 9));
        var weights = new float[channels * channels * 9];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = ((float)random.NextDouble() - 0.5f) * 2 * scale;
        }

        var bias = new float[channels];
        for (var i = 0; i < bias.Length; i++)
        {
            bias[i] = ((float)random.NextDouble() - 0.5f) * 0.1f;
        }

        return (weights, bias);
    }
}
