using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

/// <summary>Shape arithmetic on constants is evaluated at conversion time and never reaches the ONNX graph.</summary>
public sealed class ConstantFolderTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Convert_ReshapeTargetFromSparseToDenseAddGather_LeavesOnlyTheReshape()
    {
        var graph = TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(NanoDetStyleReshape().Write(_directory.Path)));

        // SparseToDense → [0, 30, 0]; + [3, 0, 1] → [3, 30, 1]; gathered in reverse → [1, 30, 3], whose batch 1 becomes 0 ("copy").
        var reshape = Assert.Single(graph.Nodes);
        Assert.Equal("Reshape", reshape.OpType);
        Assert.Equal(new long[] { 0, 30, 3 }, graph.Initializers[reshape.Inputs[1]].Longs);
        Assert.Equal("x", reshape.Inputs[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Convert_ReshapeTargetFromConstants_ReshapesEachItem(int batch)
    {
        var model = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(NanoDetStyleReshape().Write(_directory.Path))));
        var input = OrtRunner.RandomInput(batch * 90, seed: 3);

        var (data, shape) = OrtRunner.Run(model, "x", input, [batch, 5, 6, 3])["y"];

        Assert.Equal(new long[] { batch, 30, 3 }, shape);
        Assert.Equal(input, data);
    }

    private static TfjsModelBuilder NanoDetStyleReshape() => new TfjsModelBuilder()
        .Placeholder("x", 1, 5, 6, 3)
        .ConstInt("sparse/indices", [1], 1)
        .ConstInt("sparse/shape", [3], 1)
        .ConstInt("sparse/value", [30])
        .ConstInt("sparse/default", [0])
        .Node("sparse", "SparseToDense", ["sparse/indices", "sparse/shape", "sparse/value", "sparse/default"],
            ("T", Attr.Type("DT_INT32")), ("Tindices", Attr.Type("DT_INT32")), ("validate_indices", Attr.Bool(true)))
        .ConstInt("offset", [3, 0, 1], 3)
        .Node("target", "AddV2", ["sparse", "offset"], ("T", Attr.Type("DT_INT32")))
        .ConstInt("order", [2, 1, 0], 3)
        .ConstInt("order/axis", [0])
        .Node("gathered", "GatherV2", ["target", "order", "order/axis"], ("Tparams", Attr.Type("DT_INT32")), ("batch_dims", Attr.Int(0)))
        .Node("y", "Reshape", ["x", "gathered"], Attr.FloatT)
        .Output("y");
}
