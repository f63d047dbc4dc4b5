using System.Text.Json.Nodes;
using EdgeVision.EdgeAgent;
using EdgeVision.Models;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.ModelTools;

/// <summary>What a user sees when a TF.js model cannot be converted: one line naming the reason.</summary>
public sealed class TfjsConversionErrorTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        _error.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Convert_UnknownOp_NamesOpAndNode()
    {
        var json = FancyModel().Write(_directory.Path);
        var model = TfjsGraphModel.Load(json);

        var error = Assert.Throws<ModelException>(() => TfjsToOnnxConverter.Convert(model));

        Assert.Equal("unsupported TF.js op 'FancyOp' at node 'fancy'", error.Message);
    }

    [Fact]
    public void Convert_SameConvWithDilationAndStride_NamesTheNode()
    {
        var json = new TfjsModelBuilder()
            .Placeholder("x", 1, 8, 8, 3)
            .ConstFloat("w", new float[2 * 2 * 3], 2, 2, 3, 1)
            .Node("conv", "Conv2D", ["x", "w"], Attr.FloatT, ("padding", Attr.Str("SAME")), ("strides", Attr.Ints(1, 2, 2, 1)), ("dilations", Attr.Ints(1, 2, 2, 1)))
            .Output("conv")
            .Write(_directory.Path);

        var error = Assert.Throws<ModelException>(() => TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(json)));

        Assert.Equal("cannot convert Conv2D node 'conv': SAME padding with both dilation and stride above 1 is not supported", error.Message);
    }

    [Fact]
    public async Task RunAsync_UnknownOp_ExitsOneWithOneLineAndWritesNoModel()
    {
        var json = FancyModel().Write(_directory.Path);
        var output = _directory.Combine("out.onnx");

        var exitCode = await CommandLine.RunAsync(["convert-tfjs", json, output], _error);

        Assert.Equal((1, "error: unsupported TF.js op 'FancyOp' at node 'fancy'\n"), (exitCode, _error.ToString()));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task RunAsync_ModelJsonMissing_ExitsOneNamingThePath()
    {
        var missing = _directory.Combine("nowhere", "model.json");

        var exitCode = await CommandLine.RunAsync(["convert-tfjs", missing, _directory.Combine("out.onnx")], _error);

        Assert.Equal((1, $"error: TF.js model file not found: {missing}\n"), (exitCode, _error.ToString()));
    }

    [Fact]
    public async Task RunAsync_LayersModel_ExitsOneSayingItIsNotAGraphModel()
    {
        var json = _directory.Combine("model.json");
        File.WriteAllText(json, new JsonObject { ["format"] = "layers-model", ["modelTopology"] = new JsonObject() }.ToJsonString());

        var exitCode = await CommandLine.RunAsync(["convert-tfjs", json, _directory.Combine("out.onnx")], _error);

        Assert.Equal((1, $"error: {json} is not a TF.js graph model (its \"format\" is not \"graph-model\")\n"), (exitCode, _error.ToString()));
    }

    [Fact]
    public async Task RunAsync_GraphModelWithoutWeightsManifest_ExitsOneNamingTheMissingList()
    {
        var json = _directory.Combine("model.json");
        File.WriteAllText(json, new JsonObject { ["format"] = "graph-model", ["modelTopology"] = new JsonObject { ["node"] = new JsonArray() } }.ToJsonString());

        var exitCode = await CommandLine.RunAsync(["convert-tfjs", json, _directory.Combine("out.onnx")], _error);

        Assert.Equal((1, $"error: {json} has no weightsManifest list\n"), (exitCode, _error.ToString()));
    }

    private static TfjsModelBuilder FancyModel() => new TfjsModelBuilder()
        .Placeholder("x", 1, 4, 4, 3)
        .Node("relu", "Relu", ["x"], Attr.FloatT)
        .Node("fancy", "FancyOp", ["relu"], Attr.FloatT)
        .Output("fancy");
}
