using System.Text.Json;
using EdgeVision.Models;
using EdgeVision.ModelTools.Import;
using EdgeVision.ModelTools.Onnx.Proto;
using EdgeVision.Tests.Support;
using Google.Protobuf;
using OpenCvSharp;

namespace EdgeVision.Tests.Models;

/// <summary>
/// <c>edgevision import-model</c> on exports shaped like Ultralytics' (a real ONNX file with fixed output tables and
/// the export's metadata), then the imported model named by <c>detect</c>, as a user would.
/// </summary>
public sealed class ImportModelTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>A YOLOv8-layout export, 320×256, three classes, one person box at input pixels (40, 40)–(140, 200).</summary>
    private static byte[] Export(bool withMetadata, int width = 320, int height = 256)
    {
        const int n = 60;
        var table = new float[7 * n];
        (table[3], table[n + 3], table[(2 * n) + 3], table[(3 * n) + 3], table[(4 * n) + 3]) = (90, 120, 100, 160, 0.9f);
        var model = SyntheticNanoDetModel.Build(width, height, [("output0", [7, n], table)]);
        model.ProducerName = "pytorch";
        if (withMetadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = "names", Value = "{0: 'person', 1: 'sports ball', 2: \"car's\"}" });
            model.MetadataProps.Add(new StringStringEntryProto { Key = "imgsz", Value = $"[{height}, {width}]" });
            model.MetadataProps.Add(new StringStringEntryProto { Key = "stride", Value = "32" });
        }

        return model.ToByteArray();
    }

    [Fact]
    public void Inspect_UltralyticsMetadata_NamesSizeAndYoloPreprocessingInTheManifest()
    {
        var imported = ModelImporter.Inspect(Export(withMetadata: true), "/x/Best Model.onnx", DecoderSpec.YoloV8, labels: null, name: null);

        Assert.Equal(("best-model", 320, 256, 60), (imported.Name, imported.Width, imported.Height, imported.Rows));
        Assert.Equal(["person", "sports ball", "car's"], imported.Labels);
        var input = imported.Manifest["input"]!;
        Assert.Equal(("RGB", 114, 255), (input["channel_order"]!.GetValue<string>(), input["pad_value"]!.GetValue<int>(), input["std"]![0]!.GetValue<int>()));
        Assert.Equal("imported", imported.Manifest["provenance"]!["source_package"]!.GetValue<string>());
        var manifest = ModelManifest.Parse(imported.Manifest.ToJsonString(), "m.json");
        Assert.Empty(manifest.Validate());
    }

    [Theory]
    [InlineData(DecoderSpec.EndToEnd, "import-model: output 'output0' does not fit the e2e family: expected [N, K, 6], found [?, 7, 60]")]
    [InlineData(DecoderSpec.YoloV5, "import-model: output 'output0' [?, 7, 60] scores 55 classes but 3 labels were given")]
    [InlineData("ssd", "import-model: --family must be yolov5, yolov8 or e2e, found 'ssd'")]
    public void Inspect_OutputNotOfTheFamily_OneLineWithExpectedAndFound(string family, string message)
    {
        var error = Assert.Throws<ModelException>(() => ModelImporter.Inspect(Export(withMetadata: true), "m.onnx", family, null, null));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Inspect_NoNamesAnywhere_AsksForLabelsAndImgszMismatchNamed()
    {
        var noNames = Assert.Throws<ModelException>(() => ModelImporter.Inspect(Export(withMetadata: false), "m.onnx", DecoderSpec.YoloV8, null, null));
        Assert.Equal("import-model: m.onnx carries no class names (Ultralytics 'names' metadata); give them with --labels FILE, one per line", noNames.Message);

        var model = ModelProto.Parser.ParseFrom(Export(withMetadata: true));
        model.MetadataProps.Single(p => p.Key == "imgsz").Value = "[640, 640]";
        var mismatch = Assert.Throws<ModelException>(() => ModelImporter.Inspect(model.ToByteArray(), "m.onnx", DecoderSpec.YoloV8, null, null));
        Assert.Equal("import-model: the export's imgsz [640, 640] does not match its input [?, 3, 256, 320]", mismatch.Message);
        Assert.Throws<ModelException>(() => ModelImporter.Inspect([1, 2, 3, 4, 5], "m.onnx", DecoderSpec.YoloV8, ["a"], null));
    }

    /// <summary>
    /// A <c>dynamic=True</c> export, <c>[N, 3, ?, ?]</c> in, <c>[N, 7, ?]</c> out, whose output really grows with the
    /// input: one row per 32×32 cell, each the same person box at input pixels (40, 40)–(140, 200).
    /// </summary>
    /// <param name="cells">The row count to reshape to; -1 follows the input (a fixed count makes other sizes fail to run).</param>
    private static byte[] DynamicExport(bool withImgsz, long cells = -1)
    {
        static NodeProto Op(string type, string[] inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = type, Name = output + "_node", Input = { inputs }, Output = { output } };
            node.Attribute.AddRange(attributes);
            return node;
        }

        static TensorShapeProto Dims(params object[] dims)
        {
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(dims.Select(d => d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = (int)d }));
            return shape;
        }

        // cells[N, 1, h·w] = Reshape(ReduceMean(AveragePool32(input), channels)) · 0; output = cells + box[7, 1].
        var graph = new GraphProto { Name = "dynamic_export" };
        graph.Input.Add(new ValueInfoProto { Name = "images", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = Dims("batch", 3, "height", "width") } } });
        graph.Output.Add(new ValueInfoProto { Name = "output0", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = Dims("batch", 7, "anchors") } } });
        graph.Node.Add(Op("AveragePool", ["images"], "pooled",
            new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 32, 32 } },
            new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 32, 32 } }));
        graph.Node.Add(Op("ReduceMean", ["pooled"], "grey", new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1 } }));
        graph.Initializer.Add(new TensorProto { Name = "flat", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 3 }, Int64Data = { 0, 1, cells } });
        graph.Node.Add(Op("Reshape", ["grey", "flat"], "cells"));
        graph.Initializer.Add(new TensorProto { Name = "zero", DataType = 1, FloatData = { 0f } });
        graph.Node.Add(Op("Mul", ["cells", "zero"], "cells_zero"));
        graph.Initializer.Add(new TensorProto { Name = "box", DataType = 1, Dims = { 7, 1 }, FloatData = { 90, 120, 100, 160, 0.9f, 0, 0 } });
        graph.Node.Add(Op("Add", ["cells_zero", "box"], "output0"));
        var model = new ModelProto { IrVersion = 7, ProducerName = "pytorch", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "names", Value = "{0: 'person', 1: 'sports ball', 2: 'car'}" });
        if (withImgsz)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = "imgsz", Value = "[256, 320]" });
        }

        return model.ToByteArray();
    }

    [Fact]
    public void Inspect_DynamicExport_RunsAtItsImgszOrTheGivenSize_TheOutputLengthFromARunThere()
    {
        var atImgsz = ModelImporter.Inspect(DynamicExport(withImgsz: true), "m.onnx", DecoderSpec.YoloV8, null, null);
        Assert.Equal((320, 256, 80), (atImgsz.Width, atImgsz.Height, atImgsz.Rows));

        var atGiven = ModelImporter.Inspect(DynamicExport(withImgsz: false), "m.onnx", DecoderSpec.YoloV8, null, null, size: (640, 480));
        Assert.Equal((640, 480, 300), (atGiven.Width, atGiven.Height, atGiven.Rows));

        var noSize = Assert.Throws<ModelException>(() => ModelImporter.Inspect(DynamicExport(withImgsz: false), "m.onnx", DecoderSpec.YoloV8, null, null));
        Assert.Equal("import-model: input 'images' [?, 3, ?, ?] has no fixed size and the export carries no imgsz; give the size to run at with --size WIDTHxHEIGHT", noSize.Message);

        var fixedSize = Assert.Throws<ModelException>(() => ModelImporter.Inspect(Export(withMetadata: true), "m.onnx", DecoderSpec.YoloV8, null, null, size: (640, 640)));
        Assert.Equal("import-model: --size 640x640 does not match the input [?, 3, 256, 320]; it is for exports without a fixed size", fixedSize.Message);

        // An export that only runs at the size it was made for: one line from ONNX Runtime's first.
        var wrongSize = Assert.Throws<ModelException>(() => ModelImporter.Inspect(DynamicExport(withImgsz: false, cells: 80), "m.onnx", DecoderSpec.YoloV8, null, null, size: (640, 480)));
        Assert.StartsWith("import-model: m.onnx does not run at 640x480: ", wrongSize.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', wrongSize.Message);
        Assert.Equal(80, ModelImporter.Inspect(DynamicExport(withImgsz: false, cells: 80), "m.onnx", DecoderSpec.YoloV8, null, null, size: (320, 256)).Rows);
    }

    [Fact]
    public void ImportDynamicExportThenDetect_TheBoxInSourcePixels()
    {
        var imported = ModelImporter.Inspect(DynamicExport(withImgsz: true), "yard.onnx", DecoderSpec.YoloV8, null, null);
        var onnx = Path.Combine(_directory.Path, "yard.onnx");
        File.WriteAllBytes(onnx, DynamicExport(withImgsz: true));
        File.WriteAllLines(Path.Combine(_directory.Path, "yard.labels"), imported.Labels);
        var path = Path.Combine(_directory.Path, "yard.json");
        File.WriteAllText(path, imported.Manifest.ToJsonString());
        using var detector = OnnxDetector.Create(ModelCatalog.LoadManifest(path), new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu] });

        // A 640×400 image: scale 0.5 into 320×200 with 28 px of padding above; 80 identical rows, one box after NMS.
        using var frame = new Mat(400, 640, MatType.CV_8UC3, new Scalar(40, 80, 120));
        var detection = Assert.Single(detector.Detect(frame));

        Assert.Equal(("person", 80f, 24f, 280f, 344f), (detection.Label, detection.X1, detection.Y1, detection.X2, detection.Y2));
    }

    /// <summary>An export made with <c>half=True</c> takes and gives float16; the importer says what to do instead.</summary>
    [Fact]
    public void Inspect_HalfPrecisionExport_OneLineAskingForFloat32()
    {
        var halfInput = ModelProto.Parser.ParseFrom(Export(withMetadata: true));
        halfInput.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Float16;
        var input = Assert.Throws<ModelException>(() => ModelImporter.Inspect(halfInput.ToByteArray(), "m.onnx", DecoderSpec.YoloV8, null, null));
        Assert.Equal(
            "import-model: input 'input_1' is float16; EdgeVision feeds float32 images, so export in float32 (not half): on a GPU, TensorRT builds FP16 kernels from a float32 file itself (EdgeVision:Detector:TensorRt:Fp16, on by default)",
            input.Message);

        var output = Assert.Throws<ModelException>(() => ModelImporter.Inspect(HalfOutput().ToByteArray(), "m.onnx", DecoderSpec.YoloV8, null, null));
        Assert.Equal("import-model: output 'output0' is float16; the yolov8 decoder reads float32, so export in float32 (not half)", output.Message);
    }

    /// <summary>A manifest written by hand for a model whose output is float16 fails when the detector is made, in one line.</summary>
    [Fact]
    public void Create_ModelWithAHalfPrecisionOutput_ModelExceptionNamingTheOutput()
    {
        var manifest = ModelImporter.Inspect(Export(withMetadata: true), "m.onnx", DecoderSpec.YoloV8, null, "half").Manifest;
        var onnx = Path.Combine(_directory.Path, "half.onnx");
        File.WriteAllBytes(onnx, HalfOutput().ToByteArray());
        manifest["sha256"] = SyntheticNanoDetModel.Sha256Of(onnx);
        File.WriteAllLines(Path.Combine(_directory.Path, "half.labels"), ["person", "sports ball", "car's"]);
        var path = Path.Combine(_directory.Path, "half.json");
        File.WriteAllText(path, manifest.ToJsonString());

        var error = Assert.Throws<ModelException>(() => OnnxDetector.Create(ModelCatalog.LoadManifest(path), new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu] }).Dispose());

        Assert.Equal($"model file {onnx}: output 'output0' is Float16; the decoder reads float32 (export the model in float32, not half)", error.Message);
    }

    /// <summary>The export with a Cast to float16 on its output, as a half-precision export ends.</summary>
    private static ModelProto HalfOutput()
    {
        var model = ModelProto.Parser.ParseFrom(Export(withMetadata: true));
        var producer = model.Graph.Node.Single(n => n.Output.Contains("output0"));
        producer.Output[producer.Output.IndexOf("output0")] = "output0_float";
        var cast = new NodeProto { OpType = "Cast", Name = "to_half", Input = { "output0_float" }, Output = { "output0" } };
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float16 });
        model.Graph.Node.Add(cast);
        model.Graph.Output[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Float16;
        return model;
    }

    [Fact]
    public void ImportThenDetect_ByName_TheExportsBoxInSourcePixels()
    {
        var export = Path.Combine(_directory.Path, "yard-yolo11n.onnx");
        File.WriteAllBytes(export, Export(withMetadata: true));
        var state = Path.Combine(_directory.Path, "state");
        var environment = new Dictionary<string, string> { ["STATE_DIRECTORY"] = state };

        using (var import = AgentProcess.Start(environment, "import-model", export, "--family", "yolov8"))
        {
            Assert.True(import.WaitForExit(Bound) == 0, import.Output);
            Assert.Contains("Imported yard-yolo11n: yolov8, input 320×256 'input_1', output 'output0' (60 rows, 3 classes), fp32", import.Output, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(state, "models", "yard-yolo11n.json")));
        using (var again = AgentProcess.Start(environment, "import-model", export, "--family", "yolov8"))
        {
            Assert.Equal(2, again.WaitForExit(Bound));
            Assert.Contains("a model named 'yard-yolo11n' is already in", again.Output, StringComparison.Ordinal);
        }

        // A 640×400 image: scale 0.5 into 320×200 with 28 px of padding above.
        var image = Path.Combine(_directory.Path, "frame.png");
        using (var frame = new Mat(400, 640, MatType.CV_8UC3, new Scalar(40, 80, 120)))
        {
            Cv2.ImWrite(image, frame);
        }

        using var detect = AgentProcess.Start(environment, "detect", image, "--model", "yard-yolo11n", "--json");
        Assert.True(detect.WaitForExit(Bound) == 0, detect.Output);
        var json = detect.Output[detect.Output.IndexOf('[', StringComparison.Ordinal)..];
        using var document = JsonDocument.Parse(json);
        var detection = Assert.Single(document.RootElement[0].GetProperty("detections").EnumerateArray());
        Assert.Equal("person", detection.GetProperty("label").GetString());
        Assert.Equal([80.0, 24.0, 280.0, 344.0], detection.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()));
    }
}
