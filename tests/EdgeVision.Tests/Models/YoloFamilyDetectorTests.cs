using System.Text.Json.Nodes;
using EdgeVision.Models;
using Google.Protobuf;
using OpenCvSharp;

namespace EdgeVision.Tests.Models;

/// <summary>
/// The YOLO-family decoders through the whole detector: a real ONNX file (fixed output tables in each family's
/// layout, input 320×256) under ONNX Runtime, a manifest choosing the family, RGB x/255 preprocessing with grey
/// padding, NMS for YOLO and none for end-to-end exports.
/// </summary>
public sealed class YoloFamilyDetectorTests : IDisposable
{
    private const int Width = 320;
    private const int Height = 256;
    private static readonly string[] Labels = ["person", "bicycle", "car"];
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    // Two overlapping boxes of one class (IoU 0.8) and one of another, in input pixels: x1, y1, x2, y2, score, class.
    private static readonly float[][] Boxes =
    [
        [40, 40, 140, 200, 0.9f, 0],
        [44, 44, 144, 204, 0.8f, 0],
        [200, 100, 300, 160, 0.7f, 2],
    ];

    [Theory]
    [InlineData(DecoderSpec.YoloV5, 2)]
    [InlineData(DecoderSpec.YoloV8, 2)]
    [InlineData(DecoderSpec.EndToEnd, 3)]
    public void Detect_EachFamily_BoxesInSourcePixelsNmsOnlyWhereTheModelHasNone(string family, int expected)
    {
        var (rows, shape, table) = family switch
        {
            DecoderSpec.YoloV5 => V5(),
            DecoderSpec.YoloV8 => V8(),
            _ => EndToEnd(),
        };
        var model = ModelCatalog.LoadManifest(Write(family, rows, shape, table));
        using var detector = OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 1, ScoreThreshold = 0.5f });

        // A 640×400 frame: scale 0.5 into 320×200, 28 px of grey above and below.
        using var frame = new Mat(400, 640, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var found = detector.Detect(frame);

        Assert.Equal(expected, found.Length);
        var best = found[0];
        Assert.Equal(("person", 0.9f), (best.Label, best.Score));
        Assert.Equal((80f, 24f, 280f, 344f), (best.X1, best.Y1, best.X2, best.Y2));
        Assert.Contains(found, d => d.Label == "car" && d.X1 == 400f && d.Y2 == 264f);
    }

    [Fact]
    public void Detect_EndToEndWithLabelGroup_DropsOnlyTheWorseOfTwoGroupedClassesOnOneObject()
    {
        // The table's boxes, plus a bicycle on the car (IoU 0.93) scoring lower.
        float[][] boxes = [.. Boxes, [202, 100, 302, 160, 0.6f, 1]];
        var table = new float[20 * 6];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i].CopyTo(table, i * 6);
        }

        var model = ModelCatalog.LoadManifest(Write(DecoderSpec.EndToEnd, 20, [20, 6], table));
        using var frame = new Mat(400, 640, MatType.CV_8UC3, new Scalar(10, 20, 30));
        Detection[] Run(List<string[]> groups)
        {
            using var detector = OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 1, ScoreThreshold = 0.5f, NmsLabelGroups = groups });
            return detector.Detect(frame);
        }

        var ungrouped = Run([]);
        var grouped = Run([["bicycle", "car"]]);

        Assert.Equal(["person", "person", "car", "bicycle"], ungrouped.Select(d => d.Label));
        // Both overlapping people stay (the model chose them); the bicycle goes under the better car.
        Assert.Equal(["person", "person", "car"], grouped.Select(d => d.Label));
        Assert.Equal(ungrouped[..3], grouped);
    }

    private string Write(string family, int rows, int[] shape, float[] table)
    {
        var onnx = Path.Combine(_directory.Path, family + ".onnx");
        File.WriteAllBytes(onnx, SyntheticNanoDetModel.Build(Width, Height, [("output0", shape, table)]).ToByteArray());
        File.WriteAllLines(Path.Combine(_directory.Path, "three.labels"), Labels);
        var manifest = new JsonObject
        {
            ["format_version"] = 1,
            ["name"] = "yolo-" + family,
            ["file"] = family + ".onnx",
            ["sha256"] = SyntheticNanoDetModel.Sha256Of(onnx),
            ["precision"] = "fp32",
            ["input"] = new JsonObject
            {
                ["name"] = "input_1", ["width"] = Width, ["height"] = Height, ["layout"] = "NCHW", ["channel_order"] = "RGB",
                ["mean"] = new JsonArray(0, 0, 0), ["std"] = new JsonArray(255, 255, 255), ["pad_value"] = 114, ["normalization_in_graph"] = false,
            },
            ["decoder"] = new JsonObject
            {
                ["family"] = family,
                ["boxes"] = rows,
                ["outputs"] = new JsonArray(new JsonObject { ["predictions"] = "output0" }),
            },
            ["labels"] = "three.labels",
            ["provenance"] = new JsonObject { ["description"] = "test tables", ["source_package"] = "none" },
            ["licence"] = "test",
        };
        var path = Path.Combine(_directory.Path, family + ".json");
        File.WriteAllText(path, manifest.ToJsonString());
        return path;
    }

    private static (int, int[], float[]) V5()
    {
        const int rows = 50;
        var width = 5 + Labels.Length;
        var table = new float[rows * width];
        for (var i = 0; i < Boxes.Length; i++)
        {
            var b = Boxes[i];
            var row = table.AsSpan(i * 7 * width, width);
            (row[0], row[1], row[2], row[3], row[4]) = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1], 1f);
            row[5 + (int)b[5]] = b[4];
        }

        return (rows, [rows, width], table);
    }

    private static (int, int[], float[]) V8()
    {
        const int n = 60;
        var table = new float[(4 + Labels.Length) * n];
        for (var i = 0; i < Boxes.Length; i++)
        {
            var b = Boxes[i];
            var c = (i * 9) + 3;
            (table[c], table[n + c], table[(2 * n) + c], table[(3 * n) + c]) = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]);
            table[((4 + (int)b[5]) * n) + c] = b[4];
        }

        return (n, [4 + Labels.Length, n], table);
    }

    private static (int, int[], float[]) EndToEnd()
    {
        const int k = 20;
        var table = new float[k * 6];
        for (var i = 0; i < Boxes.Length; i++)
        {
            Boxes[i].CopyTo(table, i * 6);
        }

        return (k, [k, 6], table);
    }
}
