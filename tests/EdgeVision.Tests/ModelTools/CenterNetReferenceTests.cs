using System.Buffers.Binary;
using System.Text.Json;
using EdgeVision.Models;
using EdgeVision.ModelTools.Evaluation;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// The committed MobileNetV3-CenterNet ONNX file against the original TF.js model: raw outputs on the exact
/// inputs TF.js was fed (tests/fixtures/centernet-tfjs, made by tools/tfjs-reference/centernet-reference.js),
/// the graph's own top-100 decoding converted in full, and TF.js's boxes through the whole detect path.
/// </summary>
public sealed class CenterNetReferenceTests
{
    private const int Size = 512;
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Fixtures, "centernet-tfjs", "reference.json"))).RootElement;

    public static TheoryData<string> Frames()
    {
        var data = new TheoryData<string>();
        foreach (var frame in Reference.GetProperty("frames").EnumerateArray())
        {
            data.Add(frame.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Fixtures_HoldThreeFrames() => Assert.Equal(3, Frames().Count);

    [Theory]
    [MemberData(nameof(Frames))]
    public void CommittedFp32Model_OnTfjsInput_MatchesTfjsOutputsWithin1e4(string frameId)
    {
        var frame = Frame(frameId);
        var package = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "centernet-512.json"));

        var outputs = OrtRunner.Run(File.ReadAllBytes(package.ModelPath), "tower_0/images", ReadRawRgbInput(frame), [1, 3, Size, Size]);

        var wh = Output(frame, "tower_0/wh");
        Assert.Equal(Shape(wh), outputs["tower_0/wh"].Shape);
        // Sizes are distances in input pixels computed from raw 0–255 pixels through 89 convolutions: float32 sums
        // in another order than TF.js's leave up to 1.5e-3 px (measured 1.1e-3–1.5e-3 on these frames); the
        // bound is 2e-3 px, a thousandth of what moves a box by one pixel. The scores below hold 1e-4.
        var whDifference = OrtRunner.MaxAbsDifference(outputs["tower_0/wh"].Data, ReadFloats(wh));
        Assert.True(whDifference <= 2e-3f, $"{frameId} wh: max abs difference {whDifference}");

        // The heat map is kept as (index, value) pairs: every value ≥ 0.01 and every 61st value.
        var keypoints = Output(frame, "tower_0/keypoints");
        Assert.Equal(Shape(keypoints), outputs["tower_0/keypoints"].Shape);
        var heat = outputs["tower_0/keypoints"].Data;
        var pairs = File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, keypoints.GetProperty("file").GetString()!));
        var worst = 0f;
        var hot = 0;
        for (var i = 0; i < pairs.Length; i += 8)
        {
            var index = (int)BinaryPrimitives.ReadUInt32LittleEndian(pairs.AsSpan(i));
            var value = BinaryPrimitives.ReadSingleLittleEndian(pairs.AsSpan(i + 4));
            worst = MathF.Max(worst, MathF.Abs(heat[index] - value));
            hot += value >= 0.3f ? 1 : 0;
        }

        Assert.True(pairs.Length / 8 >= heat.Length / 61, "the fixture should hold at least every 61st value");
        Assert.True(hot >= 10, $"{frameId}: only {hot} heat-map values ≥ 0.3 in the fixture");
        Assert.True(worst <= 1e-4f, $"{frameId} keypoints: max abs difference {worst}");
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void ConvertedWholeGraph_OnTfjsInput_TopHundredDecodingMatchesTfjs(string frameId)
    {
        // All three outputs, the graph's own peak test, top-100, index arithmetic and gather included.
        var frame = Frame(frameId);
        var graph = TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(RepositoryPaths.CenterNetSourceJson), new ConversionOptions { ChannelsFirstInputs = true });

        var outputs = OrtRunner.Run(OnnxModelFile.ToBytes(graph), "tower_0/images", ReadRawRgbInput(frame), [1, 3, Size, Size]);

        var expected = ReadFloats(Output(frame, "tower_0/detections"));
        var actual = outputs["tower_0/detections"].Data;
        Assert.Equal([1L, 100, 6], outputs["tower_0/detections"].Shape);
        var difference = MaxRelativeDifference(actual, expected);
        Assert.True(difference <= 1e-4f, $"{frameId} detections: max relative difference {difference}");
    }

    [Fact]
    public void ConvertTfjs_OnNpmSource_ReproducesCommittedFp32FileExactly()
    {
        var graph = TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(RepositoryPaths.CenterNetSourceJson), CenterNetConversionTests.ShippedOptions);
        var manifest = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "centernet-512.json")).Manifest;

        Assert.Equal(manifest.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(OnnxModelFile.ToBytes(graph))));
    }

    [Fact]
    public void DetectPath_OnVtestFrames_FindsTfjsBoxes()
    {
        using var detector = OnnxDetector.Create(
            ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "centernet-512.json")),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.3f, MaxBatchSize = 1 });
        var total = new AgreementResult(0, 0, 0, 0);
        foreach (var frame in Reference.GetProperty("frames").EnumerateArray())
        {
            var expected = frame.GetProperty("detections").EnumerateArray().Select(ToDetection).ToList();
            using var image = Cv2.ImRead(Path.Combine(RepositoryPaths.Root, frame.GetProperty("source").GetString()!));
            var found = detector.Detect(image);

            // The same input gives the same boxes: matched at IoU ≥ 0.9. The agent's NMS may drop a same-class
            // peak that overlaps a better one, which TF.js's graph keeps, so recall need not be 1.
            total = total.Add(DetectionAgreement.Compare(expected, found, 0.3f, 0.9f));
        }

        Assert.True(total.ReferenceCount >= 40, $"fixtures hold only {total.ReferenceCount} TF.js boxes");
        Assert.True(total.Recall >= 0.95, total.ToString());
        Assert.True(total.Precision >= 0.95, total.ToString());
    }

    /// <summary>The largest |a − b| / max(1, |b|).</summary>
    private static float MaxRelativeDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = MathF.Max(worst, MathF.Abs(actual[i] - expected[i]) / MathF.Max(1, MathF.Abs(expected[i])));
        }

        return worst;
    }

    private static JsonElement Frame(string id) => Reference.GetProperty("frames").EnumerateArray().Single(f => f.GetProperty("id").GetString() == id);

    private static JsonElement Output(JsonElement frame, string name) => frame.GetProperty("outputs").GetProperty(name);

    private static long[] Shape(JsonElement output) => [.. output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];

    private static Detection ToDetection(JsonElement d)
    {
        var box = d.GetProperty("box").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        return new Detection(d.GetProperty("class_id").GetInt32(), d.GetProperty("label").GetString()!, (float)d.GetProperty("score").GetDouble(), box[0], box[1], box[2], box[3]);
    }

    /// <summary>The 512×512 PNG TF.js was fed, as raw RGB planes (0–255, no normalization), NCHW.</summary>
    private static float[] ReadRawRgbInput(JsonElement frame)
    {
        using var image = Cv2.ImRead(Path.Combine(RepositoryPaths.Root, frame.GetProperty("input_png").GetString()!), ImreadModes.Color);
        Assert.Equal((Size, Size), (image.Width, image.Height));
        var data = new float[3 * Size * Size];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var bgr = image.At<Vec3b>(y, x);
                for (var c = 0; c < 3; c++)
                {
                    data[(c * Size * Size) + (y * Size) + x] = bgr[2 - c];
                }
            }
        }

        return data;
    }

    private static float[] ReadFloats(JsonElement output) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, output.GetProperty("file").GetString()!))).ToArray();
}
