using EdgeVision.ModelTools.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>A box in network-input pixels where the float model sees an object.</summary>
public readonly record struct ObjectBox(float X1, float Y1, float X2, float Y2);

/// <summary>One calibration input (the float tensor the model takes, batch 1) and the objects the float model finds in it.</summary>
public sealed record RefitFrame(float[] Tensor, IReadOnlyList<ObjectBox> Objects);

/// <summary>How <see cref="ConvolutionRefit"/> samples and fits.</summary>
public sealed record RefitOptions
{
    /// <summary>Output positions sampled per convolution and frame (maps with fewer than 64 positions use them all).</summary>
    public int SamplesPerFrame { get; init; } = 2048;

    /// <summary>The share of those taken where the float model sees an object (the rest anywhere).</summary>
    public double ObjectShare { get; init; } = 0.8;

    /// <summary>Ridge towards the current weights, relative to the mean diagonal of the patches' Gram matrix.</summary>
    public double Ridge { get; init; } = 1e-3;

    /// <summary>A convolution is refitted only with at least this many samples per weight of an output channel.</summary>
    public double MinSamplesPerWeight { get; init; } = 10;

    /// <summary>Round the refitted weights onto the quantizer's int8 grid, each rounding error spread over the rest.</summary>
    public bool RoundWeights { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Refits every quantized convolution, first to last, so that the quantized model reproduces the float one: each
/// convolution's float weights and bias are solved by least squares to map its input <em>as the quantized model
/// computes it</em> (every earlier convolution already refitted and quantized, activations through their Q/DQ pairs)
/// to the float model's output of that convolution. The error earlier layers leave, rounding of weights and of
/// activations alike, is what each layer learns to undo, as far as a linear map can. Most samples come from where the
/// float model sees objects: what matters is the detections, and fitted to the background (most of any frame) a
/// layer shifts towards it. The result is a float graph; quantize it with the same ranges and options.
/// </summary>
public static class ConvolutionRefit
{
    /// <param name="graph">The float model.</param>
    /// <param name="ranges">The calibrated activation ranges the quantized model will use.</param>
    /// <param name="options">The quantization the model will get (which ops, which nodes stay float).</param>
    /// <param name="frames">Calibration inputs with the float model's objects.</param>
    /// <param name="itemShape">The input tensor's shape for one frame, without the batch axis.</param>
    /// <param name="inputSize">The network input's height and width in pixels (where the object boxes are).</param>
    /// <param name="refit">Sampling and fit.</param>
    /// <param name="progress">Called after each convolution with (done, total).</param>
    public static OnnxGraph Refit(
        OnnxGraph graph,
        IReadOnlyDictionary<string, TensorRange> ranges,
        QuantizationOptions options,
        IReadOnlyList<RefitFrame> frames,
        IReadOnlyList<int> itemShape,
        (int Height, int Width) inputSize,
        RefitOptions refit,
        Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(refit);
        if (frames.Count == 0)
        {
            throw new ToolInputException("refit needs at least one calibration frame");
        }

        var convolutions = graph.Nodes
            .Where(n => n.OpType == "Conv" && options.QuantizedOpTypes.Contains("Conv") && !options.KeepFloatNodes.Contains(n.Name)
                && n.Inputs.Count >= 2 && graph.Initializers.TryGetValue(n.Inputs[1], out var w) && w.Rank == 4 && w.Floats is not null)
            .Select(n => n.Name)
            .ToList();
        long[] shape = [1, .. itemShape.Select(d => (long)d)];
        var samples = SampleTargets(graph, convolutions, frames, shape, inputSize, refit);
        var current = OnnxModelFile.Copy(graph);
        for (var index = 0; index < convolutions.Count; index++)
        {
            var conv = current.Nodes.First(n => n.Name == convolutions[index]);
            var weights = current.Initializers[conv.Inputs[1]];
            var geometry = ConvolutionGeometry.Of(conv, weights.Shape);
            var (positions, targets) = samples[index];
            if (positions.Sum(p => p.Length) >= refit.MinSamplesPerWeight * geometry.Features)
            {
                var fit = new ConvolutionFit(geometry);
                // A fresh quantized graph each time, since the earlier convolutions have changed; cut at this one's input.
                var quantized = QdqQuantizer.Quantize(current, ranges, options);
                var input = quantized.Nodes.First(n => n.Name == conv.Name).Inputs[0];
                quantized.Outputs.Clear();
                quantized.Outputs.Add(new OnnxValueInfo(input, ElementType.Float, null));
                quantized.RemoveDeadNodes();
                using (var session = Session(quantized, refit.Threads))
                {
                    for (var f = 0; f < frames.Count; f++)
                    {
                        using var value = OrtValue.CreateTensorValueFromMemory(frames[f].Tensor, shape);
                        using var run = new RunOptions();
                        using var outputs = session.Run(run, [graph.Inputs[0].Name], [value], [input]);
                        var map = outputs[0].GetTensorTypeAndShape().Shape;
                        fit.Add(outputs[0].GetTensorDataAsSpan<float>(), (int)map[2], (int)map[3], positions[f], targets[f]);
                    }
                }

                var bias = conv.Inputs.Count > 2 ? current.Initializers[conv.Inputs[2]].Floats! : new float[geometry.OutChannels];
                var (newWeights, newBias) = fit.Solve(weights.Floats!, bias, refit.Ridge, refit.RoundWeights);
                var weightName = current.UniqueName(conv.Inputs[1] + "/refit");
                current.Initializers[weightName] = TensorData.FromFloats(newWeights, [.. weights.Shape]);
                conv.Inputs[1] = weightName;
                var biasName = current.UniqueName(conv.Name + "/bias_refit");
                current.Initializers[biasName] = TensorData.FromFloats(newBias, geometry.OutChannels);
                if (conv.Inputs.Count > 2)
                {
                    conv.Inputs[2] = biasName;
                }
                else
                {
                    conv.Inputs.Add(biasName);
                }

                current.RemoveDeadNodes();
            }

            progress?.Invoke(index + 1, convolutions.Count);
        }

        return current;
    }

    /// <summary>
    /// Runs the float model once per frame and keeps, for each convolution, the sampled output positions and the float
    /// outputs there (for each position, every channel).
    /// </summary>
    private static (int[][] Positions, float[][] Targets)[] SampleTargets(
        OnnxGraph graph, List<string> convolutions, IReadOnlyList<RefitFrame> frames, long[] inputShape, (int Height, int Width) inputSize, RefitOptions refit)
    {
        var outputNames = convolutions.Select(name => graph.Nodes.First(n => n.Name == name).Outputs[0]).ToList();
        var augmented = OnnxModelFile.Copy(graph);
        augmented.Outputs.Clear();
        foreach (var name in outputNames.Distinct())
        {
            augmented.Outputs.Add(new OnnxValueInfo(name, ElementType.Float, null));
        }

        var result = convolutions.Select(_ => (new int[frames.Count][], new float[frames.Count][])).ToArray();
        using var session = Session(augmented, refit.Threads);
        for (var f = 0; f < frames.Count; f++)
        {
            using var value = OrtValue.CreateTensorValueFromMemory(frames[f].Tensor, inputShape);
            using var run = new RunOptions();
            using var outputs = session.Run(run, [graph.Inputs[0].Name], [value], outputNames);
            for (var i = 0; i < convolutions.Count; i++)
            {
                var shape = outputs[i].GetTensorTypeAndShape().Shape;
                var data = outputs[i].GetTensorDataAsSpan<float>();
                int channels = (int)shape[1], height = (int)shape[2], width = (int)shape[3];
                var positions = Positions(height, width, inputSize.Height, inputSize.Width, frames[f].Objects, refit, new Random((i * 7919) + f));
                var targets = new float[positions.Length * channels];
                for (var k = 0; k < positions.Length; k++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        targets[(k * channels) + c] = data[(c * height * width) + positions[k]];
                    }
                }

                result[i].Item1[f] = positions;
                result[i].Item2[f] = targets;
            }
        }

        return result;
    }

    /// <summary>
    /// Output positions to fit for one map: all of a small map, else <see cref="RefitOptions.SamplesPerFrame"/> drawn
    /// (with repeats) with the object share from positions whose area of the input overlaps an object.
    /// </summary>
    internal static int[] Positions(int height, int width, int inputHeight, int inputWidth, IReadOnlyList<ObjectBox> objects, RefitOptions refit, Random random)
    {
        var count = height * width;
        if (count < 64)
        {
            return Enumerable.Range(0, count).ToArray();
        }

        var onObjects = new List<int>();
        for (var y = 0; y < height; y++)
        {
            float top = (float)y * inputHeight / height, bottom = (float)(y + 1) * inputHeight / height;
            for (var x = 0; x < width; x++)
            {
                float left = (float)x * inputWidth / width, right = (float)(x + 1) * inputWidth / width;
                foreach (var box in objects)
                {
                    if (box.X1 < right && box.X2 > left && box.Y1 < bottom && box.Y2 > top)
                    {
                        onObjects.Add((y * width) + x);
                        break;
                    }
                }
            }
        }

        var total = refit.SamplesPerFrame;
        var fromObjects = onObjects.Count == 0 ? 0 : (int)(total * refit.ObjectShare);
        var positions = new int[total];
        for (var k = 0; k < total; k++)
        {
            positions[k] = k < fromObjects ? onObjects[random.Next(onObjects.Count)] : random.Next(count);
        }

        return positions;
    }

    /// <summary>A session without graph optimizations, so that every Q/DQ pair runs as written.</summary>
    private static InferenceSession Session(OnnxGraph model, int threads)
    {
        var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        try
        {
            return new InferenceSession(OnnxModelFile.ToBytes(model), options);
        }
        finally
        {
            options.Dispose();
        }
    }
}
