using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Optimization;
using EdgeVision.ModelTools.Quantization;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

public sealed class ResizeScaleFoldingTests
{
    [Theory]
    [InlineData(new long[] { 1, 96, 13, 13 }, new long[] { 1, 96, 26, 26 }, new[] { 1f, 1f, 2f, 2f })]
    [InlineData(new long[] { 2, 3, 8, 6 }, new long[] { 2, 3, 16, 9 }, new[] { 1f, 1f, 2f, 1.5f })]
    [InlineData(new long[] { 1, 3, 7, 7 }, new long[] { 1, 3, 10, 10 }, new[] { 1f, 1f, 10f / 7f, 10f / 7f })]
    public void ScalesFor_ExactRatios_GiveTheRatio(long[] input, long[] output, float[] expected) =>
        Assert.Equal(expected, ResizeScaleFolding.ScalesFor(input, output)!);

    [Theory]
    [InlineData(new long[] { 1, 3, 3, 3 }, new long[] { 1, 3, 10, 10 })] // 3 × (float)(10/3) is 9.99…: floor gives 9
    [InlineData(new long[] { 1, 3, 8, 8 }, new long[] { 1, 6, 16, 16 })] // channels change
    [InlineData(new long[] { 1, 3, 8 }, new long[] { 1, 3, 16, 16 })] // rank differs
    public void ScalesFor_SizesNoScaleReproduces_Null(long[] input, long[] output) =>
        Assert.Null(ResizeScaleFolding.ScalesFor(input, output));

    [Fact]
    public void Run_RunTimeSizesOnAFixedInput_BecomeConstantScalesWithTheSameOutput()
    {
        var graph = ResizeWithRunTimeSizes(8L, 6L);
        var input = OrtRunner.RandomInput(2 * 3 * 8 * 6, seed: 7);
        var before = OrtRunner.Run(OnnxModelFile.ToBytes(graph), "x", input, [2, 3, 8, 6]);

        Assert.Equal(1, ResizeScaleFolding.Run(graph));

        var resize = Assert.Single(graph.Nodes);
        Assert.Equal(["x", string.Empty, resize.Inputs[2]], resize.Inputs);
        Assert.Equal([1f, 1f, 2f, 1.5f], graph.Initializers[resize.Inputs[2]].Floats!);
        var after = OrtRunner.Run(OnnxModelFile.ToBytes(graph), "x", input, [2, 3, 8, 6]);
        Assert.Equal([2L, 3, 16, 9], after["y"].Shape);
        Assert.Equal(before["y"].Data, after["y"].Data);
    }

    [Fact]
    public void Run_SymbolicHeight_LeavesTheGraphAlone()
    {
        var graph = ResizeWithRunTimeSizes("height", 6L);

        Assert.Equal(0, ResizeScaleFolding.Run(graph));
        Assert.Equal(["Shape", "Slice", "Concat", "Resize"], graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void TensorsToCalibrate_ResizeWithRunTimeSizes_TheIntegerSizesGetNoRange()
    {
        var graph = ResizeWithRunTimeSizes(8L, 6L);
        var options = new QuantizationOptions { QuantizedOpTypes = new HashSet<string>(StringComparer.Ordinal) { "Resize" } };

        var tensors = QdqQuantizer.TensorsToCalibrate(graph, options);

        Assert.Equal(["x", "y"], tensors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CommittedFp32NanoDet_EveryResizeHasConstantScalesAndNoShapeArithmetic()
    {
        var graph = OnnxModelFile.Load(ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json")).ModelPath);

        var resizes = graph.Nodes.Where(n => n.OpType == "Resize").ToList();
        Assert.Equal(4, resizes.Count);
        Assert.All(resizes, r => Assert.Equal(3, r.Inputs.Count));
        Assert.Equal([[1f, 1f, 0.5f, 0.5f], [1f, 1f, 0.5f, 0.5f], [1f, 1f, 2f, 2f], [1f, 1f, 2f, 2f]], resizes.Select(r => graph.Initializers[r.Inputs[2]].Floats!).OrderBy(f => f[2]));
        Assert.DoesNotContain(graph.Nodes, n => n.OpType is "Shape" or "Slice");
    }

    /// <summary>x [batch, 3, h, w] → Resize (linear, half-pixel) to 16 × 9, the sizes built from x's shape at run time as the converter writes them.</summary>
    private static OnnxGraph ResizeWithRunTimeSizes(object height, object width)
    {
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, ["batch", 3L, height, width]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, null));
        graph.Initializers["start"] = TensorData.FromInt64(0);
        graph.Initializers["end"] = TensorData.FromInt64(2);
        graph.Initializers["spatial"] = TensorData.FromInt64(16, 9);
        graph.Nodes.Add(new OnnxNode("Shape", "shape", ["x"], ["shape"]));
        graph.Nodes.Add(new OnnxNode("Slice", "slice", ["shape", "start", "end"], ["leading"]));
        var concat = new OnnxNode("Concat", "concat", ["leading", "spatial"], ["sizes"]);
        concat.Attributes["axis"] = 0L;
        graph.Nodes.Add(concat);
        var resize = new OnnxNode("Resize", "resize", ["x", string.Empty, string.Empty, "sizes"], ["y"]);
        resize.Attributes["mode"] = "linear";
        resize.Attributes["coordinate_transformation_mode"] = "half_pixel";
        graph.Nodes.Add(resize);
        return graph;
    }
}
