using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Quantization;
using EdgeVision.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// The quantizer's rules for ranges, Relus and biases, each on a small graph built for it: where a Relu behind a
/// convolution is quantized, which tensors keep their full range, and how biases stay exact in int32.
/// </summary>
public sealed class QuantizerRulesTests
{
    private static readonly QuantizationOptions ConvOnly = new() { QuantizedOpTypes = new HashSet<string>(StringComparer.Ordinal) { "Conv" } };

    [Fact]
    public void Quantize_ConvFollowedByRelu_QuantizesTheReluOutputFromZeroAndOnnxRuntimeFusesBothIntoOneIntegerConv()
    {
        var graph = ConvReluConv();
        var tensors = QdqQuantizer.TensorsToCalibrate(graph, ConvOnly);
        Assert.Equal(["r", "x", "y"], tensors.Order(StringComparer.Ordinal));

        var input = OrtRunner.RandomInput(4 * 6 * 6, seed: 3);
        var ranges = CalibrationCollector.Collect(graph, tensors, () => [input], ConvOnly with { Method = CalibrationMethod.MinMax }, threads: 1);
        var quantized = QdqQuantizer.Quantize(graph, ranges, ConvOnly);

        // The convolution's own output goes straight to the Relu; the Relu's output is quantized with zero point 0.
        var consumers = quantized.Consumers();
        Assert.Equal(["Relu"], consumers["c1"].Select(n => n.OpType));
        var quantize = Assert.Single(consumers["r"], n => n.OpType == "QuantizeLinear");
        Assert.Equal(0, quantized.Initializers[quantize.Inputs[2]].Bytes![0]);
        Assert.Equal(ranges["r"].Max / 255f, quantized.Initializers[quantize.Inputs[1]].Floats![0], 6);

        // ONNX Runtime drops the Relu and runs Conv + Relu + QuantizeLinear as one QLinearConv.
        var optimized = Path.Combine(Path.GetTempPath(), $"edgevision-relu-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
            using (new InferenceSession(OnnxModelFile.ToBytes(quantized), options))
            {
            }

            var ops = OnnxModelFile.Load(optimized).Nodes.Select(n => n.OpType).ToList();
            Assert.DoesNotContain("Relu", ops);
            Assert.Equal(1, ops.Count(o => o == "QLinearConv")); // the second convolution writes the float graph output
        }
        finally
        {
            File.Delete(optimized);
        }

        var expected = OrtRunner.Run(OnnxModelFile.ToBytes(graph), "x", input, [1, 4, 6, 6])["y"].Data;
        var actual = OrtRunner.Run(OnnxModelFile.ToBytes(quantized), "x", input, [1, 4, 6, 6])["y"].Data;
        var step = (ranges["y"].Max - Math.Min(ranges["y"].Min, 0)) / 255f;
        Assert.True(OrtRunner.MaxAbsDifference(expected, actual) < 4 * step, $"max difference {OrtRunner.MaxAbsDifference(expected, actual)}, output step {step}");
    }

    [Fact]
    public void TensorsToCalibrate_ReluReadByAnotherNodeToo_TheConvOutputIsQuantizedAsBefore()
    {
        var graph = ConvReluConv();
        graph.Nodes.Add(new OnnxNode("Sigmoid", "side", ["c1"], ["side_out"]));
        graph.Outputs.Add(new OnnxValueInfo("side_out", ElementType.Float, null));

        Assert.Contains("c1", QdqQuantizer.TensorsToCalibrate(graph, ConvOnly));
    }

    [Fact]
    public void Quantize_InputZeroInEveryCalibrationFrame_TheBiasOfTheConvReadingItStaysExact()
    {
        // A squeeze-excite vector a Relu always zeroed: the convolution reading it outputs its bias alone.
        var graph = SingleConv([0.5f, -0.25f, 0.125f, 1f, 0.75f, -1f], bias: [2.3741f, -1.6183f]);
        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal) { ["x"] = new(0, 0), ["y"] = new(-2, 3) };

        var quantized = QdqQuantizer.Quantize(graph, ranges, ConvOnly);

        var quantize = Assert.Single(quantized.Nodes, n => n.OpType == "QuantizeLinear" && n.Inputs[0] == "x");
        Assert.Equal(1f / 65536, quantized.Initializers[quantize.Inputs[1]].Floats![0]);
        var bias = DequantizedBias(quantized);
        Assert.Equal(2.3741f, bias[0], 4);
        Assert.Equal(-1.6183f, bias[1], 4);
    }

    [Fact]
    public void Quantize_ChannelWithZeroOrTinyWeights_ItsBiasNeitherRoundsToAWholeInputStepNorOverflowsInt32()
    {
        // Channel 0 has no weights at all (its output is its bias); channel 1's weights are so small that
        // max |w| / 127 as the weight scale would put its bias beyond int32.
        var graph = SingleConv([0f, 0f, 0f, 1e-9f, -2e-9f, 1e-9f], bias: [3.3f, -4.7f]);
        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal) { ["x"] = new(0, 10), ["y"] = new(-5, 5) };

        var quantized = QdqQuantizer.Quantize(graph, ranges, ConvOnly);

        var bias = DequantizedBias(quantized);
        Assert.Equal(3.3f, bias[0], 4);
        Assert.Equal(-4.7f, bias[1], 4);
        var dq = quantized.Producers()[quantized.Nodes.Single(n => n.OpType == "Conv").Inputs[2]];
        Assert.All(quantized.Initializers[dq.Inputs[0]].Longs!, v => Assert.InRange(v, int.MinValue + 1L, int.MaxValue - 1L));
    }

    [Fact]
    public void WeightScales_OrdinaryChannels_AreMaxAbsOver127()
    {
        var scales = QdqQuantizer.WeightScales([0.5f, -1.27f, 0.25f, 2.54f], channels: 2, bias: [0.1f, -0.2f], inputScale: 0.02f);

        Assert.Equal([0.01f, 0.02f], scales);
    }

    [Fact]
    public void Collect_PercentileRanges_ClipAnInnerTensorsRareHighValuesButNotThoseOfATensorThatIsTheModelsAnswer()
    {
        // x → Conv (identity) → c → Sigmoid → Transpose → the graph output: c's rare high values are the scores.
        var graph = SingleConv([1f], bias: [0f], channels: 1, inputChannels: 1);
        graph.Nodes.Add(new OnnxNode("Sigmoid", "sigmoid", ["y"], ["s"]));
        var transpose = new OnnxNode("Transpose", "transpose", ["s"], ["scores"]);
        transpose.Attributes["perm"] = new long[] { 0, 2, 3, 1 };
        graph.Nodes.Add(transpose);
        graph.Outputs.Clear();
        graph.Outputs.Add(new OnnxValueInfo("scores", ElementType.Float, null));
        var frames = Enumerable.Range(0, 10).Select(f =>
        {
            var values = Enumerable.Range(0, 100).Select(i => (i % 10) / 10f).ToArray();
            values[(f * 7) % 100] = 100f;
            return values;
        }).ToList();

        Assert.Equal(["y"], CalibrationCollector.ModelOutputTensors(graph, ["x", "y"]));
        var ranges = CalibrationCollector.Collect(graph, ["x", "y"], () => frames, new QuantizationOptions { Method = CalibrationMethod.Percentile, Percentile = 90 }, threads: 1);

        Assert.True(ranges["x"].Max < 2, $"the inner tensor's outliers are clipped: max {ranges["x"].Max}");
        Assert.Equal(100f, ranges["y"].Max, 3);
    }

    /// <summary>x [1,4,6,6] → Conv (4→4, 1×1) → c1 → Relu → r → Conv (4→3, 1×1) → y.</summary>
    private static OnnxGraph ConvReluConv()
    {
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, [1L, 4L, 6L, 6L]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, null));
        var w1 = Enumerable.Range(0, 16).Select(i => ((i * 7) % 11 / 5f) - 1f).ToArray();
        var w2 = Enumerable.Range(0, 12).Select(i => ((i * 5) % 9 / 4f) - 1f).ToArray();
        graph.Initializers["w1"] = TensorData.FromFloats(w1, 4, 4, 1, 1);
        graph.Initializers["b1"] = TensorData.FromFloats([0.1f, -0.2f, 0.3f, 0f], 4);
        graph.Initializers["w2"] = TensorData.FromFloats(w2, 3, 4, 1, 1);
        graph.Initializers["b2"] = TensorData.FromFloats([0.05f, 0f, -0.1f], 3);
        graph.Nodes.Add(new OnnxNode("Conv", "conv1", ["x", "w1", "b1"], ["c1"]));
        graph.Nodes.Add(new OnnxNode("Relu", "relu", ["c1"], ["r"]));
        graph.Nodes.Add(new OnnxNode("Conv", "conv2", ["r", "w2", "b2"], ["y"]));
        return graph;
    }

    /// <summary>x [1,inputChannels,10,10] → Conv (1×1, the given weights and bias) → y.</summary>
    private static OnnxGraph SingleConv(float[] weights, float[] bias, int channels = 2, int inputChannels = 3)
    {
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, [1L, (long)inputChannels, 10L, 10L]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, null));
        graph.Initializers["w"] = TensorData.FromFloats(weights, channels, inputChannels, 1, 1);
        graph.Initializers["b"] = TensorData.FromFloats(bias, channels);
        graph.Nodes.Add(new OnnxNode("Conv", "conv", ["x", "w", "b"], ["y"]));
        return graph;
    }

    private static float[] DequantizedBias(OnnxGraph quantized)
    {
        var conv = quantized.Nodes.Single(n => n.OpType == "Conv");
        var dq = quantized.Producers()[conv.Inputs[2]];
        Assert.Equal("DequantizeLinear", dq.OpType);
        var values = quantized.Initializers[dq.Inputs[0]].Longs!;
        var scales = quantized.Initializers[dq.Inputs[1]].Floats!;
        return values.Select((v, c) => (float)(v * (double)scales[c])).ToArray();
    }
}
