using EdgeVision.Models;
using EdgeVision.ModelTools.Import;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Wrappers;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// The YOLO decoders proved on a real network's detections: NanoDet-g's graph with operations appended that
/// re-express its outputs in YOLOv5's and YOLOv8's layouts (and take YOLO-style RGB 0–1 input), imported with
/// <see cref="ModelImporter"/> like any export, must give through the detector what NanoDet-g's own decoder gives
/// on real frames: the same labels, boxes within 0.5 px, scores within 1e-4, at batch 1 and batch 4.
/// </summary>
public sealed class YoloLayoutWrapperTests : IDisposable
{
    private static readonly int[] Frames = [.. Enumerable.Range(0, 20).Select(i => 400 + (i * 17))];
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(DecoderSpec.YoloV5)]
    [InlineData(DecoderSpec.YoloV8)]
    [InlineData(DecoderSpec.EndToEnd)]
    public void Wrapped_OnTwentyVtestFrames_SameDetectionsAsNanoDetsDecoderAtBatchOneAndFour(string family)
    {
        var reference = ModelCatalog.Default.Load("nanodet-g-416");
        var wrapped = ModelCatalog.LoadManifest(WriteWrapper(reference, family));
        var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 2, MaxBatchSize = 4 };
        using var nanodet = OnnxDetector.Create(reference, options);
        using var yolo = OnnxDetector.Create(wrapped, options);
        Assert.Equal(family, wrapped.Manifest.Decoder!.Family);

        var compared = 0;
        var all = VideoFrames.Vtest(Frames);
        foreach (var chunk in Frames.Chunk(4))
        {
            var images = chunk.Select(index => all[Array.IndexOf(Frames, index)]).ToArray();
            try
            {
                var transforms = images.Select((image, slot) => yolo.PrepareSlot(slot, image)).ToArray();
                yolo.RunBatch(images.Length);
                var batched = new List<Detection>[images.Length];
                for (var slot = 0; slot < images.Length; slot++)
                {
                    batched[slot] = [];
                    yolo.DecodeSlot(slot, transforms[slot], batched[slot]);
                }

                for (var slot = 0; slot < images.Length; slot++)
                {
                    var expected = nanodet.Detect(images[slot]);
                    AssertSame(expected, batched[slot], $"frame {chunk[slot]}, batch of {images.Length}");
                    AssertSame(expected, yolo.Detect(images[slot]), $"frame {chunk[slot]}, alone");
                    compared += expected.Length;
                }
            }
            finally
            {
                foreach (var image in images)
                {
                    image.Dispose();
                }
            }
        }

        Assert.All(all, frame => Assert.True(frame.IsDisposed));

        Assert.True(compared >= 100, $"only {compared} detections compared");
    }

    private string WriteWrapper(ModelPackage reference, string family)
    {
        var graph = YoloLayoutWrapper.Wrap(OnnxModelFile.Load(reference.ModelPath), reference.Manifest, reference.Labels.Count, family, yoloInput: true);
        var file = Path.Combine(_directory.Path, $"nanodet-as-{family}.onnx");
        OnnxModelFile.Save(graph, file);

        // Imported as a user would import an export; NanoDet pads with black, so the wrapper declares pad 0.
        var imported = ModelImporter.Inspect(File.ReadAllBytes(file), file, family, reference.Labels, null, padValue: 0);
        Assert.Equal(family == DecoderSpec.EndToEnd ? new EndToEndOptions().Rows : YoloLayoutWrapper.Boxes(reference.Manifest), imported.Rows);
        Assert.Equal(file, Path.Combine(_directory.Path, imported.Name + ".onnx"));
        File.WriteAllLines(Path.Combine(_directory.Path, imported.Name + ".labels"), imported.Labels);
        var manifest = Path.Combine(_directory.Path, imported.Name + ".json");
        File.WriteAllText(manifest, imported.Manifest.ToJsonString());
        return manifest;
    }

    private static void AssertSame(Detection[] expected, IReadOnlyList<Detection> actual, string where)
    {
        Assert.True(expected.Length == actual.Count, $"{where}: {expected.Length} detections expected, {actual.Count} found\n{string.Join("\n", expected)}\n--\n{string.Join("\n", actual)}");
        var left = expected.OrderByDescending(d => d.Score).ThenBy(d => d.X1).ToArray();
        var right = actual.OrderByDescending(d => d.Score).ThenBy(d => d.X1).ToArray();
        for (var i = 0; i < left.Length; i++)
        {
            var (a, b) = (left[i], right[i]);
            Assert.True(a.Label == b.Label, $"{where} #{i}: {a.Label} expected, {b.Label} found");
            Assert.True(MathF.Abs(a.Score - b.Score) <= 1e-4f, $"{where} #{i}: score {a.Score} expected, {b.Score} found");
            var worst = new[] { a.X1 - b.X1, a.Y1 - b.Y1, a.X2 - b.X2, a.Y2 - b.Y2 }.Max(MathF.Abs);
            Assert.True(worst <= 0.5f, $"{where} #{i}: box off by {worst} px");
        }
    }
}

/// <summary>The whole user path with each wrapper as the export: <c>import-model</c>, then <c>run</c> on the bundled clip, as separate commands.</summary>
public sealed class ImportedWrapperRunTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(DecoderSpec.YoloV5)]
    [InlineData(DecoderSpec.YoloV8)]
    [InlineData(DecoderSpec.EndToEnd)]
    public async Task ImportThenRun_OnTheClip_PersonsDetectedThroughTheImportedModel(string family)
    {
        var reference = ModelCatalog.Default.Load("nanodet-g-416");
        var export = Path.Combine(_directory.Path, "export.onnx");
        OnnxModelFile.Save(YoloLayoutWrapper.Wrap(OnnxModelFile.Load(reference.ModelPath), reference.Manifest, reference.Labels.Count, family, yoloInput: true), export);
        var labels = Path.Combine(_directory.Path, "coco.txt");
        File.WriteAllLines(labels, reference.Labels);
        var environment = new Dictionary<string, string> { ["STATE_DIRECTORY"] = Path.Combine(_directory.Path, "state") };

        using (var import = Support.AgentProcess.Start(environment, "import-model", export, "--family", family, "--labels", labels, "--name", "wrapped", "--pad-value", "0"))
        {
            Assert.True(import.WaitForExit(Bound) == 0, import.Output);
        }

        var device = "wrap-" + Guid.NewGuid().ToString("N")[..8];
        var port = Mqtt.MosquittoBroker.FreePort();
        using var agent = Support.AgentProcess.Start(
            environment,
            "run", "--EdgeVision:Model=wrapped", "--EdgeVision:ConsoleSummaryInterval=00:00:00", "--Http:Enabled=false",
            $"--Mqtt:DeviceId={device}", $"--Mqtt:Embedded:Port={port}", $"--Mqtt:Outbox:Directory={Path.Combine(_directory.Path, "outbox")}",
            $"--EdgeVision:SnapshotDirectory={Path.Combine(_directory.Path, "snapshots")}");
        Assert.True(agent.WaitForOutput("Pipeline started", Bound), agent.Output);
        Assert.Contains("model wrapped on CPU", agent.Output, StringComparison.Ordinal);
        await using var subscriber = await Mqtt.MosquittoSubscriber.StartAsync(port, $"edgevision/{device}/sample/detections");
        await subscriber.WaitForAsync(m => m.Payload.Contains("\"label\":\"person\"", StringComparison.Ordinal)).WaitAsync(Bound);
    }

    [Fact]
    public void ImportModel_BadFiles_OneLineEachExitTwo()
    {
        var reference = ModelCatalog.Default.Load("nanodet-g-416");
        var notOnnx = Path.Combine(_directory.Path, "notes.onnx");
        File.WriteAllText(notOnnx, "this is not a model");
        var shortLabels = Path.Combine(_directory.Path, "three.txt");
        File.WriteAllLines(shortLabels, ["person", "bicycle", "car"]);
        var export = Path.Combine(_directory.Path, "v8.onnx");
        OnnxModelFile.Save(YoloLayoutWrapper.Wrap(OnnxModelFile.Load(reference.ModelPath), reference.Manifest, reference.Labels.Count, DecoderSpec.YoloV8, yoloInput: true), export);

        (string[] Arguments, string Line)[] cases =
        [
            (["import-model", notOnnx, "--family", "yolov8", "--labels", shortLabels], $"error: import-model: {notOnnx} is not an ONNX model"),
            (["import-model", export, "--family", "yolov8", "--labels", shortLabels], "error: import-model: output 'output0' [?, 84, 3549] scores 80 classes but 3 labels were given"),
            (["import-model", export, "--family", "e2e", "--labels", shortLabels], "error: import-model: output 'output0' does not fit the e2e family: expected [N, K, 6], found [?, 84, 3549]"),
            ([ "import-model", reference.ModelPath, "--family", "yolov8", "--labels", shortLabels], "error: import-model: "),
            (["import-model", export, "--family", "yolov8", "--size", "640"], "error: import-model: --size must be WIDTHxHEIGHT, each from 32 to 8192 (640x640), found '640'"),
        ];
        foreach (var (arguments, line) in cases)
        {
            using var process = Support.AgentProcess.Start(new Dictionary<string, string> { ["STATE_DIRECTORY"] = _directory.Path }, arguments);
            Assert.Equal(2, process.WaitForExit(Bound));
            var errors = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 1 && errors[0].StartsWith(line, StringComparison.Ordinal), process.Output);
        }
    }
}
