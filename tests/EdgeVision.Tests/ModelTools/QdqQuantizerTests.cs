using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Quantization;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

/// <summary>The quantizer on the committed FP32 NanoDet-g, calibrated on a few real frames.</summary>
public sealed class QdqQuantizerTests
{
    private static readonly Lazy<(OnnxGraph Float, OnnxGraph Quantized, QuantizationOptions Options)> Quantized = new(() =>
    {
        var package = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json"));
        var graph = OnnxModelFile.Load(package.ModelPath);
        var options = new QuantizationOptions
        {
            Method = CalibrationMethod.Percentile,
            KeepFloatNodes = new HashSet<string>(StringComparer.Ordinal) { "PartitionedCall/convolution_29/conv" },
        };
        var frames = new CalibrationFrames(RepositoryPaths.VtestVideo, package.Manifest.Input!, count: 6, start: 0, step: 40);
        var tensors = QdqQuantizer.TensorsToCalibrate(graph, options);
        var ranges = CalibrationCollector.Collect(graph, tensors, frames.Read, options, threads: 2);
        return (graph, QdqQuantizer.Quantize(graph, ranges, options), options);
    });

    [Fact]
    public void Quantize_NanoDet_EveryConvButTheKeptOneReadsPerChannelInt8WeightsAndInt32Bias()
    {
        var (_, graph, _) = Quantized.Value;
        var producers = graph.Producers();

        foreach (var conv in graph.Nodes.Where(n => n.OpType == "Conv"))
        {
            if (conv.Name == "PartitionedCall/convolution_29/conv")
            {
                Assert.True(graph.Initializers[conv.Inputs[1]].IsFloat, "the kept node keeps float weights");
                continue;
            }

            var weight = producers[conv.Inputs[1]];
            Assert.Equal("DequantizeLinear", weight.OpType);
            Assert.Equal(0L, weight.GetInt("axis", -1));
            var q = graph.Initializers[weight.Inputs[0]];
            Assert.Equal(ElementType.Int8, q.Type);
            Assert.Equal(q.Shape[0], graph.Initializers[weight.Inputs[1]].Count);
            Assert.All(graph.Initializers[weight.Inputs[2]].Bytes!, b => Assert.Equal(0, b));
            Assert.DoesNotContain(q.Bytes!, b => unchecked((sbyte)b) == -128);

            var bias = producers[conv.Inputs[2]];
            Assert.Equal(ElementType.Int32, graph.Initializers[bias.Inputs[0]].Type);
            Assert.Equal("DequantizeLinear", producers[conv.Inputs[0]].OpType);
        }

        Assert.Equal(33, graph.Nodes.Count(n => n.OpType == "Conv" && producers.TryGetValue(n.Inputs[1], out var p) && p.OpType == "DequantizeLinear"));
        Assert.DoesNotContain(graph.Initializers.Values, t => t.IsFloat && t.Rank == 4 && t.Shape[2] == 3 && t.Shape[3] == 3);
    }

    [Fact]
    public void Quantize_NanoDet_ScoresStayCloseToFloatOnAnUncalibratedFrame()
    {
        var (floatGraph, quantized, _) = Quantized.Value;
        var input = new float[3 * 416 * 416];
        using var resizer = new LetterboxResizer(416, 416, [103.53f, 116.28f, 123.675f], [57.375f, 57.12f, 58.395f]);
        using (var capture = new OpenCvSharp.VideoCapture(RepositoryPaths.VtestVideo))
        using (var frame = new OpenCvSharp.Mat())
        {
            capture.Set(OpenCvSharp.VideoCaptureProperties.PosFrames, 500);
            Assert.True(capture.Read(frame));
            resizer.Write(frame, input);
        }

        var a = OrtRunner.Run(OnnxModelFile.ToBytes(floatGraph), "input_1", input, [1, 3, 416, 416]);
        var b = OrtRunner.Run(OnnxModelFile.ToBytes(quantized), "input_1", input, [1, 3, 416, 416]);

        foreach (var scores in new[] { "Identity", "Identity_1", "Identity_2" })
        {
            var difference = OrtRunner.MaxAbsDifference(a[scores].Data, b[scores].Data);
            Assert.True(difference < 0.15f, $"{scores}: max difference {difference}");
        }
    }

    [Fact]
    public void Quantize_ResizeAmongTheOps_ResizeKeepsItsInputScaleAndItsConstantScalesStayUntouched()
    {
        var package = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json"));
        var graph = OnnxModelFile.Load(package.ModelPath);
        var options = new QuantizationOptions
        {
            QuantizedOpTypes = new HashSet<string>(StringComparer.Ordinal) { "Conv", "LeakyRelu", "Concat", "Add", "MaxPool", "Resize" },
        };
        var tensors = QdqQuantizer.TensorsToCalibrate(graph, options);
        var resizes = graph.Nodes.Where(n => n.OpType == "Resize").ToList();

        // The converter gives each Resize constant scales (an initializer; the PAN halves twice and doubles twice): no
        // range, no Q/DQ.
        Assert.Equal(4, resizes.Count);
        Assert.Equal([[1f, 1f, 0.5f, 0.5f], [1f, 1f, 0.5f, 0.5f], [1f, 1f, 2f, 2f], [1f, 1f, 2f, 2f]], resizes.Select(r => graph.Initializers[r.Inputs[2]].Floats!).OrderBy(f => f[2]));
        Assert.All(resizes, r => Assert.DoesNotContain(r.Inputs[2], tensors));
        Assert.All(resizes, r => Assert.Contains(r.Inputs[0], tensors));

        var frames = new CalibrationFrames(RepositoryPaths.VtestVideo, package.Manifest.Input!, count: 2, start: 0, step: 40);
        var quantized = QdqQuantizer.Quantize(graph, CalibrationCollector.Collect(graph, tensors, frames.Read, options, threads: 2), options);
        var producers = quantized.Producers();
        var consumers = quantized.Consumers();
        foreach (var resize in quantized.Nodes.Where(n => n.OpType == "Resize"))
        {
            Assert.True(quantized.Initializers.ContainsKey(resize.Inputs[2]), "the scales stay an initializer");
            var dequantize = producers[resize.Inputs[0]];
            Assert.Equal("DequantizeLinear", dequantize.OpType);
            var quantize = Assert.Single(consumers[resize.Outputs[0]], c => c.OpType == "QuantizeLinear");

            // A range-preserving op passes its input's scale and zero point on: DQ → Resize → Q with one set of parameters.
            Assert.Equal(quantized.Initializers[dequantize.Inputs[1]].Floats![0], quantized.Initializers[quantize.Inputs[1]].Floats![0]);
            Assert.Equal(quantized.Initializers[dequantize.Inputs[2]].Bytes![0], quantized.Initializers[quantize.Inputs[2]].Bytes![0]);
        }
    }
}
