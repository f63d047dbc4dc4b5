using EdgeVision.Models;
using EdgeVision.ModelTools;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Quantization;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// A QDQ NanoDet-g (the committed FP32 model quantized on a few real frames) with its input quantization moved into
/// the preprocessing: uint8 NHWC, and uint8 in 2×2 pixel blocks with the first convolution's stride folded in.
/// </summary>
public sealed class QuantizedInputTests
{
    private static readonly float[] Mean = [103.53f, 116.28f, 123.675f];
    private static readonly float[] Std = [57.375f, 57.12f, 58.395f];

    private static readonly Lazy<OnnxGraph> FloatInput = new(() =>
    {
        var package = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json"));
        var graph = OnnxModelFile.Load(package.ModelPath);
        var options = new QuantizationOptions { Method = CalibrationMethod.MinMax };
        var frames = new CalibrationFrames(RepositoryPaths.VtestVideo, package.Manifest.Input!, count: 4, start: 0, step: 60);
        var tensors = QdqQuantizer.TensorsToCalibrate(graph, options);
        return QdqQuantizer.Quantize(graph, CalibrationCollector.Collect(graph, tensors, frames.Read, options, threads: 2), options);
    });

    [Fact]
    public void ToUInt8Nhwc_QdqNanoDet_InputBecomesBytesThroughATransposeAndTheOutputsStayTheSame()
    {
        var graph = Copy(FloatInput.Value);
        var quantizeScale = InputQuantize(graph);

        var parameters = QuantizedInput.ToUInt8Nhwc(graph);

        var input = Assert.Single(graph.Inputs);
        Assert.Equal(("input_1", ElementType.UInt8), (input.Name, input.Type));
        Assert.Equal(new object[] { 416L, 416L, 3L }, input.Dims!.Skip(1));
        Assert.DoesNotContain(graph.Nodes, n => n.Inputs.Contains("input_1") && n.OpType == "QuantizeLinear");
        var transpose = Assert.Single(graph.Nodes, n => n.Inputs.Contains("input_1"));
        Assert.Equal("Transpose", transpose.OpType);
        Assert.Equal([0L, 3, 1, 2], transpose.GetInts("perm")!);
        Assert.Equal(quantizeScale, parameters);

        using var frame = VideoFrames.Vtest(450);
        var floats = Run(FloatInput.Value, Letterbox(frame, TensorLayout.Nchw, null, 1, out var floatShape), floatShape);
        var bytes = Run(graph, Letterbox(frame, TensorLayout.Nhwc, parameters, 1, out var byteShape), byteShape);

        // The lookup table rounds as QuantizeLinear does, so the first convolution reads the same bytes.
        foreach (var (name, (data, _)) in floats)
        {
            Assert.Equal(data, bytes[name].Data);
        }
    }

    [Fact]
    public void ToUInt8Nhwc_InBlocks_FirstConvolutionBecomesStrideOneOnTwelveChannelsWithTheSameOutputs()
    {
        var plain = Copy(FloatInput.Value);
        var parameters = QuantizedInput.ToUInt8Nhwc(plain);
        var blocks = Copy(FloatInput.Value);

        Assert.Equal(parameters, QuantizedInput.ToUInt8Nhwc(blocks, spaceToDepth: 2));

        Assert.Equal(new object[] { 208L, 208L, 12L }, blocks.Inputs[0].Dims!.Skip(1));
        var first = FirstConvolution(blocks);
        Assert.Equal([1L, 1], first.GetInts("strides")!);
        Assert.Equal([2L, 2], first.GetInts("kernel_shape")!);
        var weights = blocks.Initializers[blocks.Producers()[first.Inputs[1]].Inputs[0]];
        Assert.Equal(new long[] { weights.Shape[0], 12, 2, 2 }, weights.Shape);

        // 3×3 taps of 3 channels in a 2×2 kernel of 12: 27 of the 48 positions per output channel carry a weight.
        var original = Copy(FloatInput.Value);
        var originalWeights = original.Initializers[original.Producers()[FirstConvolution(original).Inputs[1]].Inputs[0]];
        Assert.Equal(originalWeights.Count / 27 * 48, weights.Count);
        Assert.Equal(originalWeights.Bytes!.Where(b => b != 0).Order(), weights.Bytes!.Where(b => b != 0).Order());

        foreach (var index in new[] { 420, 610 })
        {
            using var frame = VideoFrames.Vtest(index);
            var expected = Run(plain, Letterbox(frame, TensorLayout.Nhwc, parameters, 1, out var plainShape), plainShape);
            var actual = Run(blocks, Letterbox(frame, TensorLayout.Nhwc, parameters, 2, out var blockShape), blockShape);
            Assert.Equal(new long[] { 1, 208, 208, 12 }, blockShape);

            // Integer convolutions sum exactly, so folding the stride into the input changes no output bit.
            foreach (var (name, (data, _)) in expected)
            {
                Assert.Equal(data, actual[name].Data);
            }
        }
    }

    [Fact]
    public void ToUInt8Nhwc_InBlocks_CenterNetSamePaddingFirstConvolution_SameOutputs()
    {
        // CenterNet's converted first convolution says auto_pad SAME_UPPER rather than explicit pads; raw 0–255
        // RGB input, 512 × 512.
        var package = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "centernet-512.json"));
        var graph = OnnxModelFile.Load(package.ModelPath);
        Assert.Equal("SAME_UPPER", FirstConvolution(graph, "tower_0/images").GetString("auto_pad"));
        var options = new QuantizationOptions { Method = CalibrationMethod.MinMax, QuantizedOpTypes = new HashSet<string>(StringComparer.Ordinal) { "Conv" } };
        var frames = new CalibrationFrames(RepositoryPaths.VtestVideo, package.Manifest.Input!, count: 2, start: 0, step: 100);
        var quantized = QdqQuantizer.Quantize(graph, CalibrationCollector.Collect(graph, QdqQuantizer.TensorsToCalibrate(graph, options), frames.Read, options, threads: 2), options);
        var plain = Copy(quantized);
        var parameters = QuantizedInput.ToUInt8Nhwc(plain);
        var blocks = Copy(quantized);
        QuantizedInput.ToUInt8Nhwc(blocks, spaceToDepth: 2);

        var first = FirstConvolution(blocks, "tower_0/images");
        Assert.Null(first.GetString("auto_pad"));
        Assert.Equal([0L, 0, 1, 1], first.GetInts("pads")!);
        using var frame = VideoFrames.Vtest(480);
        var input = package.Manifest.Input!;
        using var plainResizer = new LetterboxResizer(512, 512, input.Mean, input.Std, "RGB", 0, TensorLayout.Nhwc, parameters);
        using var blockResizer = new LetterboxResizer(512, 512, input.Mean, input.Std, "RGB", 0, TensorLayout.Nhwc, parameters, spaceToDepth: 2);
        var plainInput = new byte[plainResizer.SlotLength];
        var blockInput = new byte[blockResizer.SlotLength];
        plainResizer.Write(frame, plainInput);
        blockResizer.Write(frame, blockInput);

        var expected = OrtRunner.Run(OnnxModelFile.ToBytes(plain), "tower_0/images", plainInput, [1, 512, 512, 3]);
        var actual = OrtRunner.Run(OnnxModelFile.ToBytes(blocks), "tower_0/images", blockInput, [1, 256, 256, 12]);

        foreach (var (name, (data, _)) in expected)
        {
            Assert.Equal(data, actual[name].Data);
        }
    }

    [Fact]
    public void ToUInt8Nhwc_FloatModel_RefusedNamingWhatReadsTheInput()
    {
        var graph = OnnxModelFile.Load(ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json")).ModelPath);

        var error = Assert.Throws<ToolInputException>(() => QuantizedInput.ToUInt8Nhwc(graph));

        Assert.Equal("input 'input_1' must be read by exactly one QuantizeLinear to take quantized bytes; it is read by Conv", error.Message);
    }

    [Fact]
    public void ToUInt8Nhwc_BlocksOfThree_Refused()
    {
        var error = Assert.Throws<ToolInputException>(() => QuantizedInput.ToUInt8Nhwc(Copy(FloatInput.Value), spaceToDepth: 3));

        Assert.Equal("space to depth takes blocks of 1 or 2 pixels, not 3", error.Message);
    }

    [Fact]
    public void QuantizedManifest_BlocksModel_RunsThroughTheDetectorLikeTheFloatInputModel()
    {
        using var directory = new TemporaryDirectory();
        var floatPath = Path.Combine(directory.Path, "float-input.onnx");
        OnnxModelFile.Save(FloatInput.Value, floatPath);
        var blocks = Copy(FloatInput.Value);
        var parameters = QuantizedInput.ToUInt8Nhwc(blocks, spaceToDepth: 2);
        var blocksPath = Path.Combine(directory.Path, "blocks.onnx");
        OnnxModelFile.Save(blocks, blocksPath);
        var source = Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json");

        QuantizedManifest.Write(source, floatPath, Path.Combine(directory.Path, "float-input.json"), null, "float input");
        QuantizedManifest.Write(source, blocksPath, Path.Combine(directory.Path, "blocks.json"), parameters, "first text", spaceToDepth: 1);

        // Written again over the first one: the machine fields are replaced, the provenance text is kept.
        var firstText = ModelCatalog.ReadManifest(Path.Combine(directory.Path, "blocks.json")).Provenance!.Description;
        QuantizedManifest.Write(source, blocksPath, Path.Combine(directory.Path, "blocks.json"), parameters, "blocks", spaceToDepth: 2);
        Assert.Equal("first text", firstText);

        var manifest = ModelCatalog.ReadManifest(Path.Combine(directory.Path, "blocks.json"));
        Assert.Equal(("blocks", "int8", "NHWC", "uint8", 2), (manifest.Name, manifest.Precision, manifest.Input!.Layout, manifest.Input.ElementType, manifest.Input.SpaceToDepth));
        Assert.Equal((parameters.Scale, parameters.ZeroPoint), (manifest.Input.Quantization!.Scale!.Value, manifest.Input.Quantization.ZeroPoint!.Value));
        Assert.Equal("first text", manifest.Provenance!.Description);
        Assert.True(File.Exists(Path.Combine(directory.Path, "coco80.labels")));

        var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 2, MaxBatchSize = 4 };
        using var floatDetector = OnnxDetector.Create(ModelCatalog.LoadManifest(Path.Combine(directory.Path, "float-input.json")), options);
        using var blockDetector = OnnxDetector.Create(ModelCatalog.LoadManifest(Path.Combine(directory.Path, "blocks.json")), options);
        var frames = new[] { 430, 520, 700 }.Select(VideoFrames.Vtest).ToList();
        try
        {
            // A letterboxed 768×576 frame (padding above and below) and, in a batch, a square crop (no padding).
            using var crop = frames[2][new Rect(100, 50, 400, 400)].Clone();
            Mat[] images = [frames[0], frames[1], crop];
            var expected = floatDetector.DetectBatch(images);
            var actual = blockDetector.DetectBatch(images);
            Assert.True(expected.Sum(d => d.Length) > 10, "the frames hold people");
            for (var i = 0; i < images.Length; i++)
            {
                Assert.Equal(expected[i], actual[i]);
                Assert.Equal(expected[i], blockDetector.Detect(images[i]));
            }
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void Create_ManifestSaysFloatForTheUInt8Model_OneLineNamingBoth()
    {
        using var directory = new TemporaryDirectory();
        var models = RepositoryPaths.Models;
        File.Copy(Path.Combine(models, "nanodet-g-416-int8.onnx"), directory.Combine("nanodet-g-416-int8.onnx"));
        File.Copy(Path.Combine(models, "coco80.labels"), directory.Combine("coco80.labels"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(models, "nanodet-g-416-int8.json")))!;
        json["input"]!["element_type"] = "float32";
        json["input"]!.AsObject().Remove("quantization");
        File.WriteAllText(directory.Combine("nanodet-g-416-int8.json"), json.ToJsonString());

        var error = Assert.Throws<ModelException>(() => OnnxDetector.Create(ModelCatalog.LoadManifest(directory.Combine("nanodet-g-416-int8.json"))));

        Assert.EndsWith("input 'input_1' is UInt8, the manifest says float32 (input.element_type)", error.Message, StringComparison.Ordinal);
    }

    private static OnnxGraph Copy(OnnxGraph graph) => OnnxModelFile.FromProto(OnnxModelFile.ToProto(graph));

    private static QuantizationParameters InputQuantize(OnnxGraph graph)
    {
        var quantize = graph.Nodes.Single(n => n.Inputs.Contains("input_1"));
        return new QuantizationParameters(graph.Initializers[quantize.Inputs[1]].Floats![0], graph.Initializers[quantize.Inputs[2]].Bytes![0]);
    }

    private static OnnxNode FirstConvolution(OnnxGraph graph, string value = "input_1")
    {
        var consumers = graph.Consumers();
        while (true)
        {
            var next = consumers[value].Single();
            if (next.OpType == "Conv")
            {
                return next;
            }

            value = next.Outputs[0];
        }
    }

    private static Array Letterbox(Mat frame, TensorLayout layout, QuantizationParameters? quantization, int blocks, out long[] shape)
    {
        using var resizer = new LetterboxResizer(416, 416, Mean, Std, "BGR", 0, layout, quantization, blocks);
        shape = layout == TensorLayout.Nchw ? [1, 3, 416, 416] : [1, 416 / blocks, 416 / blocks, 3 * blocks * blocks];
        if (quantization is null)
        {
            var floats = new float[resizer.SlotLength];
            resizer.Write(frame, floats);
            return floats;
        }

        var bytes = new byte[resizer.SlotLength];
        resizer.Write(frame, bytes);
        return bytes;
    }

    private static Dictionary<string, (float[] Data, long[] Shape)> Run(OnnxGraph graph, Array input, long[] shape) => input switch
    {
        float[] floats => OrtRunner.Run(OnnxModelFile.ToBytes(graph), "input_1", floats, shape),
        byte[] bytes => OrtRunner.Run(OnnxModelFile.ToBytes(graph), "input_1", bytes, shape),
        _ => throw new ArgumentException("float or byte input", nameof(input)),
    };
}
