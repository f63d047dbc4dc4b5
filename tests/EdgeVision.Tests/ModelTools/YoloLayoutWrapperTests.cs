using EdgeVision.Models;
using EdgeVision.ModelTools.Import;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Wrappers;
using EdgeVision.Tests.Models;
using OpenCvSharp;

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
        foreach (var chunk in Frames.Chunk(4))
        {
            var images = chunk.Select(VideoFrames.Vtest).ToArray();
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

    private static void AssertSame(IReadOnlyList<Detection> expected, IReadOnlyList<Detection> actual, string where)
    {
        Assert.True(expected.Count == actual.Count, $"{where}: {expected.Count} detections expected, {actual.Count} found\n{string.Join("\n", expected)}\n--\n{string.Join("\n", actual)}");
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
