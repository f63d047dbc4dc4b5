using System.Text.Json;
using EdgeVision.Models;
using EdgeVision.ModelTools.Evaluation;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// The committed NanoDet-g ONNX files against the original TF.js model: raw outputs on the exact inputs the
/// TF.js runtime was fed (tests/fixtures/nanodet-tfjs, made by tools/tfjs-reference/reference.js), and the
/// boxes TF.js found on real vtest frames through the whole detect path.
/// </summary>
public sealed class NanoDetReferenceTests
{
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Fixtures, "nanodet-tfjs", "reference.json"))).RootElement;

    public static TheoryData<string> RawOutputFrames()
    {
        var data = new TheoryData<string>();
        foreach (var frame in Reference.GetProperty("frames").EnumerateArray().Where(f => f.TryGetProperty("outputs", out var o) && o.ValueKind == JsonValueKind.Object))
        {
            data.Add(frame.GetProperty("id").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Fixtures_HoldRawOutputsForAtLeastThreeFrames() => Assert.True(RawOutputFrames().Count >= 3);

    [Theory]
    [MemberData(nameof(RawOutputFrames))]
    public void CommittedFp32Model_OnTfjsInput_MatchesTfjsOutputsWithin1e4(string frameId)
    {
        var frame = Reference.GetProperty("frames").EnumerateArray().Single(f => f.GetProperty("id").GetString() == frameId);
        var input = ReadNormalizedInput(Path.Combine(RepositoryPaths.Root, frame.GetProperty("input_png").GetString()!));
        var package = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json"));

        var outputs = OrtRunner.Run(File.ReadAllBytes(package.ModelPath), "input_1", input, [1, 3, 416, 416]);

        foreach (var output in frame.GetProperty("outputs").EnumerateObject())
        {
            var name = TfjsToOnnxConverter.SignatureName(output.Name);
            var expected = ReadFloats(Path.Combine(RepositoryPaths.Root, output.Value.GetProperty("file").GetString()!));
            var expectedShape = output.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(expectedShape, outputs[name].Shape);
            var difference = OrtRunner.MaxAbsDifference(outputs[name].Data, expected);
            Assert.True(difference <= 1e-4f, $"{frameId} {name}: max abs difference {difference}");
        }
    }

    [Fact]
    public void ConvertTfjs_OnNpmSource_ReproducesCommittedFp32FileExactly()
    {
        var graph = TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(RepositoryPaths.SourceModelJson));
        var bytes = OnnxModelFile.ToBytes(graph);
        var manifest = ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json")).Manifest;

        Assert.Equal(manifest.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public void DetectPath_OnVtestFrames_RecallsTfjsBoxesAbove95Percent()
    {
        using var detector = OnnxDetector.Create(
            ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json")),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.3f });
        var total = new AgreementResult(0, 0, 0, 0);
        foreach (var frame in Reference.GetProperty("frames").EnumerateArray())
        {
            var expected = frame.GetProperty("detections").EnumerateArray().Select(ToDetection).ToList();
            using var image = Cv2.ImRead(Path.Combine(RepositoryPaths.Root, frame.GetProperty("source").GetString()!));
            var found = detector.Detect(image);

            // Recall of the TF.js boxes (score ≥ 0.5); our detections count from 0.3 so that a borderline
            // score on the other side of 0.5 is not a miss.
            var agreement = DetectionAgreement.Compare(expected, found.Where(d => d.Score >= 0.3f).ToList(), 0f, 0.5f);
            total = total.Add(agreement with { CandidateCount = found.Length });
        }

        Assert.True(total.ReferenceCount >= 20, $"fixtures hold only {total.ReferenceCount} TF.js boxes");
        Assert.True(total.Recall >= 0.95, total.ToString());
    }

    private static Detection ToDetection(JsonElement d)
    {
        var box = d.GetProperty("box").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        return new Detection(d.GetProperty("class_id").GetInt32(), d.GetProperty("label").GetString()!, (float)d.GetProperty("score").GetDouble(), box[0], box[1], box[2], box[3]);
    }

    /// <summary>The 416×416 PNG TF.js was fed, as BGR planes normalized with the manifest's constants.</summary>
    private static float[] ReadNormalizedInput(string path)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        Assert.Equal(416, image.Width);
        Assert.Equal(416, image.Height);
        float[] mean = [103.53f, 116.28f, 123.675f];
        float[] std = [57.375f, 57.12f, 58.395f];
        var data = new float[3 * 416 * 416];
        for (var y = 0; y < 416; y++)
        {
            for (var x = 0; x < 416; x++)
            {
                var pixel = image.At<Vec3b>(y, x);
                for (var c = 0; c < 3; c++)
                {
                    data[(c * 416 * 416) + (y * 416) + x] = (pixel[c] - mean[c]) / std[c];
                }
            }
        }

        return data;
    }

    private static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
