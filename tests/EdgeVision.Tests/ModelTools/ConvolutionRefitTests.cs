using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Quantization;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// The convolution refit: its least-squares fit reads patches exactly as ONNX Runtime's Conv does (padding modes,
/// strides, dilations, groups), its sampling follows the objects, and on a small quantized network it brings the
/// quantized output closer to the float one on inputs it was not fitted on.
/// </summary>
public sealed class ConvolutionRefitTests
{
    public static TheoryData<string, int, int, int, int, long[], long[], long[]?, string?> Geometries => new()
    {
        // name, in channels, out channels, kernel, group, strides, dilations, pads, auto_pad
        { "3x3 SAME_UPPER", 3, 4, 3, 1, [1, 1], [1, 1], null, "SAME_UPPER" },
        { "depthwise 3x3 stride 2 SAME_UPPER", 4, 4, 3, 4, [2, 2], [1, 1], null, "SAME_UPPER" },
        { "depthwise 5x5 stride 2 SAME_LOWER", 4, 4, 5, 4, [2, 2], [1, 1], null, "SAME_LOWER" },
        { "grouped 3x3 stride 2 explicit uneven pads", 4, 6, 3, 2, [2, 2], [1, 1], [1, 0, 0, 2], null },
        { "3x3 dilation 2 VALID", 2, 3, 3, 1, [1, 1], [2, 2], null, "VALID" },
        { "1x1", 5, 3, 1, 1, [1, 1], [1, 1], null, null },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Fit_OnTheConvolutionsOwnInputAndOutput_RecoversItsWeightsAndBias(string name, int inChannels, int outChannels, int kernel, int group, long[] strides, long[] dilations, long[]? pads, string? autoPad)
    {
        const int Size = 11;
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, [1L, inChannels, Size, Size]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, null));
        var perGroup = inChannels / group;
        var weights = OrtRunner.RandomInput(outChannels * perGroup * kernel * kernel, seed: 11);
        var bias = OrtRunner.RandomInput(outChannels, seed: 12);
        graph.Initializers["w"] = TensorData.FromFloats(weights, outChannels, perGroup, kernel, kernel);
        graph.Initializers["b"] = TensorData.FromFloats(bias, outChannels);
        var conv = new OnnxNode("Conv", "conv", ["x", "w", "b"], ["y"]);
        conv.Attributes["group"] = (long)group;
        conv.Attributes["strides"] = strides;
        conv.Attributes["dilations"] = dilations;
        conv.Attributes["kernel_shape"] = new long[] { kernel, kernel };
        if (pads is not null)
        {
            conv.Attributes["pads"] = pads;
        }

        if (autoPad is not null)
        {
            conv.Attributes["auto_pad"] = autoPad;
        }

        graph.Nodes.Add(conv);

        var geometry = ConvolutionGeometry.Of(conv, [outChannels, perGroup, kernel, kernel]);
        var fit = new ConvolutionFit(geometry);
        for (var image = 0; image < 3; image++)
        {
            var input = OrtRunner.RandomInput(inChannels * Size * Size, seed: 20 + image);
            var (output, shape) = OrtRunner.Run(OnnxModelFile.ToBytes(graph), "x", input, [1, inChannels, Size, Size])["y"];
            Assert.Equal(((int)shape[2], (int)shape[3]), geometry.OutputSize(Size, Size));

            // Every output position, each with all channels' values.
            var positions = Enumerable.Range(0, (int)(shape[2] * shape[3])).ToArray();
            var targets = new float[positions.Length * outChannels];
            for (var p = 0; p < positions.Length; p++)
            {
                for (var o = 0; o < outChannels; o++)
                {
                    targets[(p * outChannels) + o] = output[(o * positions.Length) + p];
                }
            }

            fit.Add(input, Size, Size, positions, targets);
        }

        // Start the ridge's pull from zeros, so only the data can give the weights back.
        var (fitted, fittedBias) = fit.Solve(new float[weights.Length], new float[outChannels], ridge: 1e-9);

        Assert.True(OrtRunner.MaxAbsDifference(weights, fitted) < 1e-3, $"{name}: weights off by {OrtRunner.MaxAbsDifference(weights, fitted)}");
        Assert.True(OrtRunner.MaxAbsDifference(bias, fittedBias) < 1e-3, $"{name}: bias off by {OrtRunner.MaxAbsDifference(bias, fittedBias)}");
    }

    [Fact]
    public void Solve_RoundWeights_PutsEachChannelOnItsInt8GridAndFitsBetterThanRoundingToNearest()
    {
        // A 1x1 convolution, 12 inputs that share a common part (as real feature maps do), 4 outputs.
        const int Inputs = 12, Outputs = 4, Positions = 400;
        var random = new Random(9);
        var weights = Enumerable.Range(0, Inputs * Outputs).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bias = new float[] { 0.3f, -0.1f, 0f, 0.2f };
        var input = new float[Inputs * Positions];
        for (var p = 0; p < Positions; p++)
        {
            var common = random.NextDouble() * 4;
            for (var c = 0; c < Inputs; c++)
            {
                input[(c * Positions) + p] = (float)(common + random.NextDouble());
            }
        }

        float[] Outputs1x1(float[] w, float[] b)
        {
            var y = new float[Positions * Outputs];
            for (var p = 0; p < Positions; p++)
            {
                for (var o = 0; o < Outputs; o++)
                {
                    double sum = b[o];
                    for (var c = 0; c < Inputs; c++)
                    {
                        sum += w[(o * Inputs) + c] * input[(c * Positions) + p];
                    }

                    y[(p * Outputs) + o] = (float)sum;
                }
            }

            return y;
        }

        var conv = new OnnxNode("Conv", "conv", ["x", "w"], ["y"]);
        var fit = new ConvolutionFit(ConvolutionGeometry.Of(conv, [Outputs, Inputs, 1, 1]));
        var wanted = Outputs1x1(weights, bias);
        fit.Add(input, 20, 20, Enumerable.Range(0, Positions).ToArray(), wanted);

        var (rounded, roundedBias) = fit.Solve(weights, bias, ridge: 1e-9, roundWeights: true);

        var nearest = new float[weights.Length];
        for (var o = 0; o < Outputs; o++)
        {
            var channel = rounded.AsSpan(o * Inputs, Inputs).ToArray();
            var scale = channel.Max(Math.Abs) / 127f;
            Assert.All(channel, w => Assert.True(Math.Abs((w / scale) - MathF.Round(w / scale)) < 1e-3, $"{w} is not a multiple of {scale}"));
            // The largest weight is the original's, so the quantizer computes the same scale.
            Assert.Equal(weights.AsSpan(o * Inputs, Inputs).ToArray().Max(Math.Abs), channel.Max(Math.Abs), 5);
            for (var c = 0; c < Inputs; c++)
            {
                nearest[(o * Inputs) + c] = MathF.Round(weights[(o * Inputs) + c] / scale) * scale;
            }
        }

        var spreadError = SquaredError(wanted, Outputs1x1(rounded, roundedBias));
        var nearestError = SquaredError(wanted, Outputs1x1(nearest, bias));
        Assert.True(spreadError < 0.5 * nearestError, $"squared error with the errors spread {spreadError:G4}, rounded to nearest {nearestError:G4}");
    }

    [Fact]
    public void Positions_OneObjectInTheTopLeftQuarter_TakesTheObjectShareThere()
    {
        var options = new RefitOptions { SamplesPerFrame = 1000, ObjectShare = 0.8 };
        var positions = ConvolutionRefit.Positions(32, 32, 256, 256, [new ObjectBox(0, 0, 127, 127)], options, new Random(5));

        Assert.Equal(1000, positions.Length);
        Assert.All(positions, p => Assert.InRange(p, 0, (32 * 32) - 1));
        var inQuarter = positions.Count(p => p / 32 < 16 && p % 32 < 16);
        // 800 drawn from the quarter, and about a quarter of the other 200.
        Assert.InRange(inQuarter, 800, 800 + 120);
    }

    [Fact]
    public void Positions_NoObjects_AreSpreadOverTheMap_AndASmallMapGivesEveryPosition()
    {
        var options = new RefitOptions { SamplesPerFrame = 2000 };
        var spread = ConvolutionRefit.Positions(32, 32, 256, 256, [], options, new Random(5));
        var inQuarter = spread.Count(p => p / 32 < 16 && p % 32 < 16);
        Assert.InRange(inQuarter, 400, 600);

        Assert.Equal(Enumerable.Range(0, 49), ConvolutionRefit.Positions(7, 7, 256, 256, [new ObjectBox(0, 0, 10, 10)], options, new Random(5)));
    }

    /// <summary>
    /// Percentile ranges clip the largest activations: an error correlated with the signal, which the next layer can
    /// partly undo (pure rounding noise it cannot). The refit halves the squared error here (the bar is a quarter).
    /// </summary>
    [Fact]
    public void Refit_SmallQuantizedNetwork_BringsTheQuantizedOutputCloserToFloatOnUnseenInputs()
    {
        var graph = ThreeConvolutions();
        var options = new QuantizationOptions { QuantizedOpTypes = new HashSet<string>(StringComparer.Ordinal) { "Conv" }, Method = CalibrationMethod.Percentile, Percentile = 99 };
        var calibration = Enumerable.Range(0, 8).Select(i => Image(seed: 100 + i)).ToList();
        var ranges = CalibrationCollector.Collect(graph, QdqQuantizer.TensorsToCalibrate(graph, options), () => calibration, options, threads: 1);
        var frames = calibration.Select(t => new RefitFrame(t, [new ObjectBox(4, 4, 20, 20)])).ToList();

        var refitted = ConvolutionRefit.Refit(graph, ranges, options, frames, [3, 24, 24], (24, 24), new RefitOptions { SamplesPerFrame = 256, Threads = 1 });

        Assert.Equal(3, refitted.Nodes.Count(n => n.OpType == "Conv"));
        var plain = QdqQuantizer.Quantize(graph, ranges, options);
        var better = QdqQuantizer.Quantize(refitted, ranges, options);
        double plainError = 0, refitError = 0;
        for (var i = 0; i < 6; i++)
        {
            var input = Image(seed: 500 + i);
            var expected = Output(graph, input);
            plainError += SquaredError(expected, Output(plain, input));
            refitError += SquaredError(expected, Output(better, input));
        }

        Assert.True(refitError < 0.75 * plainError, $"squared error with refit {refitError:G4}, without {plainError:G4}");
    }

    private static float[] Output(OnnxGraph graph, float[] input) => OrtRunner.Run(OnnxModelFile.ToBytes(graph), "x", input, [1, 3, 24, 24])["y"].Data;

    private static double SquaredError(float[] a, float[] b) => a.Zip(b).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second));

    /// <summary>A smooth image-like input (not white noise), so neighbouring pixels correlate as in real frames.</summary>
    private static float[] Image(int seed)
    {
        var random = new Random(seed);
        var values = new float[3 * 24 * 24];
        for (var c = 0; c < 3; c++)
        {
            double fx = random.NextDouble() * 0.5, fy = random.NextDouble() * 0.5, phase = random.NextDouble() * 6;
            for (var y = 0; y < 24; y++)
            {
                for (var x = 0; x < 24; x++)
                {
                    values[(((c * 24) + y) * 24) + x] = (float)((Math.Sin((fx * x) + (fy * y) + phase) * 100) + 120 + (random.NextDouble() * 10));
                }
            }
        }

        return values;
    }

    /// <summary>Conv 3x3 → Relu → depthwise 3x3 → Relu → 1x1 conv, with weights of very different sizes per channel.</summary>
    private static OnnxGraph ThreeConvolutions()
    {
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, [1L, 3L, 24L, 24L]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, null));
        var w1 = OrtRunner.RandomInput(8 * 3 * 9, seed: 1).Select((v, i) => v * 0.02f * (1 + (i / 27 % 4 * 3))).ToArray();
        var w2 = OrtRunner.RandomInput(8 * 9, seed: 2).Select((v, i) => v * (i / 9 % 2 == 0 ? 3f : 0.2f)).ToArray();
        var w3 = OrtRunner.RandomInput(4 * 8, seed: 3);
        graph.Initializers["w1"] = TensorData.FromFloats(w1, 8, 3, 3, 3);
        graph.Initializers["b1"] = TensorData.FromFloats(OrtRunner.RandomInput(8, seed: 4), 8);
        graph.Initializers["w2"] = TensorData.FromFloats(w2, 8, 1, 3, 3);
        graph.Initializers["b2"] = TensorData.FromFloats(OrtRunner.RandomInput(8, seed: 5), 8);
        graph.Initializers["w3"] = TensorData.FromFloats(w3, 4, 8, 1, 1);
        graph.Initializers["b3"] = TensorData.FromFloats(new float[4], 4);
        var c1 = new OnnxNode("Conv", "conv1", ["x", "w1", "b1"], ["c1"]);
        c1.Attributes["auto_pad"] = "SAME_UPPER";
        var c2 = new OnnxNode("Conv", "conv2", ["r1", "w2", "b2"], ["c2"]);
        c2.Attributes["auto_pad"] = "SAME_UPPER";
        c2.Attributes["group"] = 8L;
        graph.Nodes.Add(c1);
        graph.Nodes.Add(new OnnxNode("Relu", "relu1", ["c1"], ["r1"]));
        graph.Nodes.Add(c2);
        graph.Nodes.Add(new OnnxNode("Relu", "relu2", ["c2"], ["r2"]));
        graph.Nodes.Add(new OnnxNode("Conv", "conv3", ["r2", "w3", "b3"], ["y"]));
        return graph;
    }
}
