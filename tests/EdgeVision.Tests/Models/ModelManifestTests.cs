using System.Text.Json.Nodes;
using EdgeVision.Models;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Models;

public sealed class ModelManifestTests
{
    private static readonly string NanoDetManifestPath = RepositoryFiles.Path("models/nanodet-g-416.json");

    [Fact]
    public void Validate_ShippedNanoDetManifest_HasNoErrors()
    {
        var manifest = ModelManifest.Parse(File.ReadAllText(NanoDetManifestPath), NanoDetManifestPath);

        Assert.Empty(manifest.Validate());
        Assert.Equal(("input_1", "BGR", 10, "Identity_5"), (manifest.Input!.Name, manifest.Input.ChannelOrder, manifest.Decoder!.RegMax, manifest.Decoder.Outputs![2].Boxes));
    }

    [Fact]
    public void Validate_YoloV8Head_FitsTheSameFormat()
    {
        var json = Edit(m =>
        {
            m["decoder"] = JsonNode.Parse("""{ "family": "yolov8", "outputs": [ { "predictions": "output0" } ] }""");
        });

        Assert.Empty(ModelManifest.Parse(json, "yolov8.json").Validate());
    }

    [Theory]
    [InlineData("sha256", "\"abc\"", "sha256: must be the 64 hex digits of the .onnx file's SHA-256")]
    [InlineData("precision", "\"fp64\"", "precision: must be fp32, fp16 or int8, found 'fp64'")]
    [InlineData("file", "\"/models/x.onnx\"", "file: must be relative to the manifest's directory, found '/models/x.onnx'")]
    [InlineData("licence", "null", "licence: missing")]
    [InlineData("format_version", "2", "format_version: must be 1, found 2")]
    public void Validate_BadTopLevelField_NamesIt(string field, string value, string expected)
    {
        var json = Edit(m => m[field] = JsonNode.Parse(value));

        Assert.Equal([expected], ModelManifest.Parse(json, "m.json").Validate());
    }

    [Fact]
    public void Validate_BadNestedFields_NamesEachWithItsPath()
    {
        var json = Edit(m =>
        {
            m["input"]!["std"] = JsonNode.Parse("[57.375, 0, 58.395]");
            m["input"]!["layout"] = "CHW";
            m["decoder"]!["outputs"]![1]!["stride"] = 32;
            m["decoder"]!["outputs"]![2]!.AsObject().Remove("boxes");
        });

        Assert.Equal(
            [
                "input.layout: must be NCHW or NHWC, found 'CHW'",
                "input.std: must be three positive numbers, one per channel",
                "decoder.outputs[1].stride: must be 16 to match decoder.strides[1]",
                "decoder.outputs[2].boxes: missing",
            ],
            ModelManifest.Parse(json, "m.json").Validate());
    }

    [Fact]
    public void Validate_InputQuantizationAndBlocks_CheckedAgainstTypeAndLayout()
    {
        var json = Edit(m =>
        {
            m["input"]!["quantization"] = JsonNode.Parse("""{"scale": 0, "zero_point": 300}""");
            m["input"]!["space_to_depth"] = 2;
            m["input"]!["element_type"] = "int8";
        });

        Assert.Equal(
            [
                "input.space_to_depth: 2 needs input.layout NHWC and an even width and height",
                "input.element_type: must be float32 or uint8, found 'int8'",
                "input.quantization: only a uint8 input is quantized (input.element_type is not uint8)",
                "input.quantization.scale: must be a positive number, found 0",
                "input.quantization.zero_point: must be a byte value from 0 to 255, found 300",
            ],
            ModelManifest.Parse(json, "m.json").Validate());
    }

    [Fact]
    public void Validate_CommittedInt8Manifest_TakesUInt8BlocksAndTheTensorShapeFollows()
    {
        var manifest = ModelCatalog.ReadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416-int8.json"));

        Assert.Empty(manifest.Validate());
        Assert.True(manifest.Input!.IsUInt8);
        Assert.Equal([208, 208, 12], manifest.Input.ItemShape());
        Assert.Equal([3, 416, 416], ModelCatalog.ReadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json")).Input!.ItemShape());
    }

    [Fact]
    public void Validate_UnknownFamily_ListsTheKnownOnes()
    {
        var json = Edit(m => m["decoder"]!["family"] = "ssd");

        Assert.Equal(["decoder.family: must be one of nanodet, yolov5, yolov8, e2e, centernet, found 'ssd'"], ModelManifest.Parse(json, "m.json").Validate());
    }

    [Fact]
    public void Validate_CenterNetWithoutHeatMapAndStrideNotDividingTheInput_NamesBoth()
    {
        var json = Edit(m =>
        {
            m["decoder"] = JsonNode.Parse("""{ "family": "centernet", "outputs": [ { "stride": 3, "boxes": "wh" } ] }""");
        });

        Assert.Equal(
            [
                "decoder.outputs[0].stride: the input size 416x416 must be a multiple of the stride 3",
                "decoder.outputs[0].scores: missing",
            ],
            ModelManifest.Parse(json, "m.json").Validate());
    }

    [Fact]
    public void Validate_CommittedCenterNetManifest_Valid() =>
        Assert.Empty(ModelManifest.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Models, "centernet-512.json")), "centernet-512.json").Validate());

    [Fact]
    public void Parse_WrongTypeForWidth_NamesTheFieldAndLine()
    {
        var json = Edit(m => m["input"]!["width"] = "wide");

        var error = Assert.Throws<ModelException>(() => ModelManifest.Parse(json, "m.json"));

        Assert.Matches(@"^model manifest m\.json: invalid JSON at line \d+: field 'input\.width' is malformed or has the wrong type$", error.Message);
    }

    [Fact]
    public void ToJson_ParsedManifest_RoundTripsWithSnakeCaseNames()
    {
        var manifest = ModelManifest.Parse(File.ReadAllText(NanoDetManifestPath), "m.json");

        var json = manifest.ToJson();

        Assert.Contains("\"normalization_in_graph\": false", json, StringComparison.Ordinal);
        Assert.Equal(manifest.Decoder!.Outputs![1].Scores, ModelManifest.Parse(json, "again.json").Decoder!.Outputs![1].Scores);
    }

    private static string Edit(Action<JsonNode> change)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(NanoDetManifestPath))!;
        change(manifest);
        return manifest.ToJsonString();
    }
}
