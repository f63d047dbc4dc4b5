using EdgeVision.EdgeAgent;
using EdgeVision.Models;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace EdgeVision.Tests.Models;

public sealed class OnnxDetectorTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void DetectBatch_NhwcFloatModel_FindsWhatTheNchwOriginalFinds()
    {
        // A TensorFlow-style export: the committed FP32 NanoDet-g behind a Transpose, taking [N, 416, 416, 3].
        var models = Support.RepositoryPaths.Models;
        var graph = EdgeVision.ModelTools.Onnx.OnnxModelFile.Load(Path.Combine(models, "nanodet-g-416.onnx"));
        graph.ReplaceUses("input_1", "input_1/nchw");
        var transpose = new EdgeVision.ModelTools.Onnx.OnnxNode("Transpose", "input_1/to_nchw", ["input_1"], ["input_1/nchw"]);
        transpose.Attributes["perm"] = new long[] { 0, 3, 1, 2 };
        graph.Nodes.Insert(0, transpose);
        graph.Inputs[0] = graph.Inputs[0] with { Dims = ["batch", 416L, 416L, 3L] };
        EdgeVision.ModelTools.Onnx.OnnxModelFile.Save(graph, _directory.Combine("nhwc.onnx"));
        File.Copy(Path.Combine(models, "coco80.labels"), _directory.Combine("coco80.labels"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(models, "nanodet-g-416.json")))!;
        json["name"] = "nhwc";
        json["file"] = "nhwc.onnx";
        json["sha256"] = ModelCatalog.ComputeSha256(_directory.Combine("nhwc.onnx"));
        json["input"]!["layout"] = "NHWC";
        File.WriteAllText(_directory.Combine("nhwc.json"), json.ToJsonString());
        var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 2, MaxBatchSize = 2 };
        using var planar = OnnxDetector.Create(ModelCatalog.LoadManifest(Path.Combine(models, "nanodet-g-416.json")), options);
        using var interleaved = OnnxDetector.Create(ModelCatalog.LoadManifest(_directory.Combine("nhwc.json")), options);
        var frames = VideoFrames.Vtest([450, 560]);
        try
        {
            var expected = planar.DetectBatch(frames);
            var actual = interleaved.DetectBatch(frames);

            Assert.True(expected.Sum(d => d.Length) > 5, "the frames hold people");
            for (var i = 0; i < frames.Length; i++)
            {
                Assert.Equal(expected[i].Select(d => d.Label), actual[i].Select(d => d.Label));
                foreach (var (a, b) in expected[i].Zip(actual[i]))
                {
                    Assert.True(Math.Abs(a.Score - b.Score) < 1e-4f && Math.Abs(a.X1 - b.X1) < 0.01f && Math.Abs(a.Y2 - b.Y2) < 0.01f, $"{a} vs {b}");
                }
            }
        }
        finally
        {
            foreach (var frame in frames)
            {
                frame.Dispose();
            }
        }
    }

    [Fact]
    public void Create_NoNvidiaDriverOnThisMachine_OneInformationLineAndTheCpu()
    {
        // No machine that runs these tests has an NVIDIA driver; nothing is faked here.
        Assert.False(NvidiaDriver.IsPresent(), "this test expects a machine without an NVIDIA driver");
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding()));
        var logger = new RecordingLogger();

        using var detector = OnnxDetector.Create(model, new DetectorOptions(), logger);

        Assert.Equal("CPU", detector.ActiveProvider);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal((LogLevel.Information, "No NVIDIA driver on this machine: TensorRT and CUDA not tried"), (entry.Level, entry.Message));
    }

    [Fact]
    public void Create_FakeNvidiaDriverPresentButNoGpuLibraries_FallsBackToCpuWithOneWarningPerProvider()
    {
        // The driver check is faked to say yes (no GPU exists here); the providers then really try to load and
        // fail for want of the CUDA and TensorRT libraries, as on a machine with a driver but a broken install.
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding()));
        var logger = new RecordingLogger();

        using var detector = OnnxDetector.Create(model, new DetectorOptions(), logger, nvidiaDriverPresent: () => true);

        Assert.Equal("CPU", detector.ActiveProvider);
        Assert.Collection(
            logger.Entries,
            entry =>
            {
                Assert.Equal(LogLevel.Warning, entry.Level);
                Assert.StartsWith("Execution provider TensorRT is unavailable", entry.Message, StringComparison.Ordinal);
            },
            entry =>
            {
                Assert.Equal(LogLevel.Warning, entry.Level);
                Assert.StartsWith("Execution provider CUDA is unavailable", entry.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Create_OnlyGpuProvidersRequested_RefusesNamingThem()
    {
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding()));

        var error = Assert.Throws<DetectorOptionsException>(
            () => OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = ["CUDA"] }));

        Assert.Equal("none of the execution providers CUDA can run on this machine; add CPU to fall back to the processor", error.Message);
    }

    [Fact]
    public void Create_UnknownProviderAndLabel_ListsEveryBadOption()
    {
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding()));
        var options = new DetectorOptions
        {
            ExecutionProviders = ["OpenVINO", "CPU"],
            ClassScoreThresholds = new() { ["pedestrian"] = 0.5f },
        };

        var error = Assert.Throws<DetectorOptionsException>(() => OnnxDetector.Create(model, options));

        Assert.Equal(2, CommandLine.ExitCodeOf(error));
        Assert.Equal(
            "detector options are invalid: ExecutionProviders: unknown provider 'OpenVINO' (known: TensorRT, CUDA, CPU); "
            + "ClassScoreThresholds: 'pedestrian' is not a label of this model",
            error.Message);
    }

    [Fact]
    public void Create_CorruptOnnxWithMatchingHash_RefusesNamingTheFile()
    {
        var onnxPath = _directory.Combine("broken.onnx");
        File.WriteAllBytes(onnxPath, "this is not a protobuf"u8.ToArray());
        var model = ModelCatalog.LoadManifest(
            SyntheticNanoDetModel.WriteManifest(_directory.Path, "broken", SyntheticNanoDetModel.Sha256Of(onnxPath)));

        var error = Assert.Throws<ModelException>(
            () => OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = ["CPU"] }));

        Assert.StartsWith($"model file {onnxPath} cannot be loaded by ONNX Runtime: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Detect_HeadEncodingOnePerson_ReturnsItsBoxInSourcePixels()
    {
        // Source 832×624 → scale 0.5, scaled 416×312, padY 52. Cell (row 20, col 30) of stride 8 has its
        // centre at (244, 164) in the network; sides 3, 1.75, 3.25, 5.5 strides → (220, 150, 270, 208).
        var head = new NanoDetHeadEncoding();
        head.SetCell(0, row: 20, column: 30, classId: 0, score: 0.9f, left: 3f, top: 1.75f, right: 3.25f, bottom: 5.5f);
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, head));
        using var detector = OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = ["CPU"], IntraOpThreads = 1 });
        using var frame = new Mat(624, 832, MatType.CV_8UC3, Scalar.All(90));

        var detections = detector.Detect(frame);

        var person = Assert.Single(detections);
        Assert.Equal((0, "person", 0.9f), (person.ClassId, person.Label, person.Score));
        Assert.Equal(440f, person.X1, 1e-3f);
        Assert.Equal(196f, person.Y1, 1e-3f);
        Assert.Equal(540f, person.X2, 1e-3f);
        Assert.Equal(312f, person.Y2, 1e-3f);
    }

    [Fact]
    public void DetectBatch_FiveImagesWithBatchOfTwo_MapsEachThroughItsOwnLetterbox()
    {
        // Stride-32 cell (row 6, col 6): centre (208, 208), sides 1.5, 1.5, 0.5, 0.5 strides → network box (160,160,224,224).
        var head = new NanoDetHeadEncoding();
        head.SetCell(2, row: 6, column: 6, classId: 2, score: 0.8f, left: 1.5f, top: 1.5f, right: 0.5f, bottom: 0.5f);
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, head));
        using var detector = OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = ["CPU"], MaxBatchSize = 2, IntraOpThreads = 1 });
        var sizes = new[] { (416, 416), (832, 832), (208, 416), (416, 208), (1664, 1664) };
        var frames = sizes.Select(size => new Mat(size.Item2, size.Item1, MatType.CV_8UC3, Scalar.All(0))).ToArray();

        try
        {
            var results = detector.DetectBatch(frames);

            var boxes = results.Select(r => Assert.Single(r)).Select(d => (d.Label, d.X1, d.Y1, d.X2, d.Y2)).ToArray();
            Assert.Equal(
                new[]
                {
                    ("car", 160f, 160f, 224f, 224f),
                    ("car", 320f, 320f, 448f, 448f),
                    ("car", 56f, 160f, 120f, 224f), // scale 1, padX 104
                    ("car", 160f, 56f, 224f, 120f), // scale 1, padY 104
                    ("car", 640f, 640f, 896f, 896f),
                },
                boxes);
        }
        finally
        {
            foreach (var frame in frames)
            {
                frame.Dispose();
            }
        }
    }

    [Fact]
    public void DetectStages_SteadyState_AllocateOnlyInsideOnnxRuntimeCallSetup()
    {
        // Buffers, tensors and lists are made on the first frame; later frames may allocate only the few
        // small arrays ONNX Runtime's managed Run builds per call, never anything frame-sized.
        var head = new NanoDetHeadEncoding();
        head.SetCell(0, row: 20, column: 30, classId: 0, score: 0.9f, left: 1f, top: 1f, right: 1f, bottom: 1f);
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, head));
        using var detector = OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = ["CPU"], IntraOpThreads = 1 });
        using var frame = VideoFrames.Vtest(5);
        var detections = new List<Detection>(100);
        for (var warmUp = 0; warmUp < 3; warmUp++)
        {
            detector.DecodeSlot(0, Stages(detector, frame), detections);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var frameIndex = 0; frameIndex < 10; frameIndex++)
        {
            detector.DecodeSlot(0, Stages(detector, frame), detections);
        }

        var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        Assert.Single(detections);
        Assert.InRange(perFrame, 0, 2048);
    }

    private static LetterboxTransform Stages(OnnxDetector detector, Mat frame)
    {
        var transform = detector.PrepareSlot(0, frame);
        detector.RunBatch(1);
        return transform;
    }

    [Fact]
    public void DecodeSlot_SlotOutsideLastBatch_Throws()
    {
        var model = ModelCatalog.LoadManifest(SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding()));
        using var detector = OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = ["CPU"], MaxBatchSize = 2, IntraOpThreads = 1 });
        using var frame = new Mat(100, 100, MatType.CV_8UC3, Scalar.All(0));
        var transform = detector.PrepareSlot(0, frame);
        detector.RunBatch(1);

        Assert.Throws<InvalidOperationException>(() => detector.DecodeSlot(1, transform, []));
    }
}
