using System.Text.Json;
using EdgeVision.EdgeAgent;
using EdgeVision.EdgeAgent.Verbs;
using OpenCvSharp;

namespace EdgeVision.Tests.Models;

public sealed class DetectVerbTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        _error.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task RunAsync_PathMissing_ExitsOneNamingIt()
    {
        var missing = _directory.Combine("nothing-here.jpg");

        var exitCode = await CommandLine.RunAsync(["detect", missing], _error);

        Assert.Equal((1, $"error: no such file or folder: {missing}\n"), (exitCode, _error.ToString()));
    }

    [Fact]
    public async Task RunAsync_UnknownOption_ExitsTwoListingKnownOnes()
    {
        var exitCode = await CommandLine.RunAsync(["detect", _directory.Path, "--fast"], _error);

        Assert.Equal(
            (2, "error: unknown option '--fast' for detect (known: --model, --json, --out, --threshold)\n"),
            (exitCode, _error.ToString()));
    }

    [Fact]
    public async Task RunAsync_ThresholdOutOfRange_ExitsTwo()
    {
        var exitCode = await CommandLine.RunAsync(["detect", _directory.Path, "--threshold", "1.5"], _error);

        Assert.Equal((2, "error: --threshold must be a number from 0 to 1, found '1.5'\n"), (exitCode, _error.ToString()));
    }

    [Fact]
    public async Task RunAsync_FolderWithoutImages_ExitsOneNamingIt()
    {
        File.WriteAllText(_directory.Combine("notes.txt"), "no pictures");

        var exitCode = await CommandLine.RunAsync(["detect", _directory.Path], _error);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: no images in folder {_directory.Path} (looked for .jpg, ", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ImageThatDoesNotDecode_ExitsOneNamingTheFile()
    {
        var manifest = SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding());
        var image = _directory.Combine("broken.jpg");
        File.WriteAllText(image, "not a jpeg");

        var exitCode = await CommandLine.RunAsync(["detect", image, "--model", manifest], _error);

        Assert.Equal((1, $"error: cannot decode image {image}\n"), (exitCode, OnlyErrorLine()));
    }

    [Fact]
    public async Task RunAsync_ModelFileMissing_ExitsOneNamingIt()
    {
        var manifest = SyntheticNanoDetModel.WriteManifest(_directory.Path, "gone", new string('b', 64));

        var exitCode = await CommandLine.RunAsync(["detect", WriteImage("a.png"), "--model", manifest], _error);

        Assert.Equal((1, $"error: model file not found: {_directory.Combine("gone.onnx")}\n"), (exitCode, _error.ToString()));
    }

    [Fact]
    public async Task RunAsync_ModelHashMismatch_ExitsOneWithBothHashes()
    {
        var manifest = SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding(), "drifted");
        File.AppendAllText(_directory.Combine("drifted.onnx"), "!");

        var exitCode = await CommandLine.RunAsync(["detect", WriteImage("a.png"), "--model", manifest], _error);

        Assert.Equal(1, exitCode);
        Assert.Matches(
            $"^error: model file {_directory.Combine("drifted.onnx")} does not match its manifest: sha256 expected [0-9a-f]{{64}}, actual [0-9a-f]{{64}}\n$",
            _error.ToString());
    }

    [Fact]
    public async Task RunAsync_CorruptOnnx_ExitsOneNamingTheFile()
    {
        var onnx = _directory.Combine("corrupt.onnx");
        File.WriteAllBytes(onnx, [0x08, 0xff, 0xff, 0xff]);
        var manifest = SyntheticNanoDetModel.WriteManifest(_directory.Path, "corrupt", SyntheticNanoDetModel.Sha256Of(onnx));

        var exitCode = await CommandLine.RunAsync(["detect", WriteImage("a.png"), "--model", manifest], _error);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: model file {onnx} cannot be loaded by ONNX Runtime: ", OnlyErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Json_PrintsFileSizeAndBoxInSourcePixels()
    {
        // Stride 32 cell (row 6, col 6), centre (208, 208), sides 1.5, 1.5, 0.5, 0.5 strides: network (160,160,224,224); a 832×832 image doubles it.
        var head = new NanoDetHeadEncoding();
        head.SetCell(2, row: 6, column: 6, classId: 0, score: 0.875f, left: 1.5f, top: 1.5f, right: 0.5f, bottom: 0.5f);
        var manifest = SyntheticNanoDetModel.Write(_directory.Path, head);
        var image = WriteImage("street.png", 832, 832);
        using var output = new StringWriter();

        var exitCode = await new DetectVerb(output, _error).RunAsync([image, "--model", manifest, "--json"], CancellationToken.None);

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output.ToString());
        var result = Assert.Single(json.RootElement.EnumerateArray().ToArray());
        Assert.Equal((image, 832, 832), (result.GetProperty("file").GetString(), result.GetProperty("width").GetInt32(), result.GetProperty("height").GetInt32()));
        var detection = Assert.Single(result.GetProperty("detections").EnumerateArray().ToArray());
        Assert.Equal(("person", 0, 0.875f), (detection.GetProperty("label").GetString(), detection.GetProperty("class_id").GetInt32(), detection.GetProperty("score").GetSingle()));
        Assert.Equal([320f, 320f, 448f, 448f], detection.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task RunAsync_FolderWithOut_PrintsTableAndWritesEachAnnotatedImage()
    {
        var head = new NanoDetHeadEncoding();
        head.SetCell(2, row: 6, column: 6, classId: 2, score: 0.5f, left: 1.5f, top: 1.5f, right: 0.5f, bottom: 0.5f);
        var manifest = SyntheticNanoDetModel.Write(_directory.Path, head);
        var images = Directory.CreateDirectory(_directory.Combine("images")).FullName;
        WriteImage(Path.Combine("images", "b.png"), 416, 416);
        WriteImage(Path.Combine("images", "a.jpg"), 208, 208);
        var annotated = _directory.Combine("annotated");
        using var output = new StringWriter();

        var exitCode = await new DetectVerb(output, _error).RunAsync([images, "--model", manifest, "--out", annotated], CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.Equal(
            $"{Path.Combine(images, "a.jpg")} (208x208): 1 detection(s)\n"
            + "  car                2  0.500  [   80.0,    80.0,   112.0,   112.0]\n"
            + $"{Path.Combine(images, "b.png")} (416x416): 1 detection(s)\n"
            + "  car                2  0.500  [  160.0,   160.0,   224.0,   224.0]\n",
            output.ToString());
        using var drawn = Cv2.ImRead(Path.Combine(annotated, "b.png"));
        Assert.Equal((416, 416), (drawn.Width, drawn.Height));
        Assert.NotEqual(new Vec3b(40, 40, 40), drawn.At<Vec3b>(160, 192)); // the box's top edge is drawn
    }

    private string WriteImage(string relativePath, int width = 64, int height = 48)
    {
        var path = _directory.Combine(relativePath);
        using var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(40, 40, 40));
        Assert.True(Cv2.ImWrite(path, image));
        return path;
    }

    /// <summary>The error output without the provider-fallback warnings every run prints on a machine without a GPU.</summary>
    private string OnlyErrorLine() =>
        string.Concat(_error.ToString().Split('\n').Where(line => line.StartsWith("error: ", StringComparison.Ordinal)).Select(line => line + "\n"));
}
