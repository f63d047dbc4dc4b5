using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

/// <summary>The converter on the real NanoDet-g TF.js model from npm.</summary>
public sealed class NanoDetConversionTests
{
    private const int InputCount = 3 * 416 * 416;
    private static readonly string[] OutputNames = ["Identity", "Identity_1", "Identity_2", "Identity_3", "Identity_4", "Identity_5"];

    private static readonly Lazy<TfjsGraphModel> Source = new(() => TfjsGraphModel.Load(RepositoryPaths.SourceModelJson));

    [Fact]
    public void Convert_NanoDet_OptimizedGraphIsCleanNchw()
    {
        var graph = TfjsToOnnxConverter.Convert(Source.Value);

        var ops = graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(34, ops["Conv"]);
        Assert.False(ops.ContainsKey("Pad"), "every Pad should be folded into its Conv or MaxPool");
        Assert.False(ops.ContainsKey("Identity"));

        // Only the six head Transposes ([N,C,cells] → [N,cells,C]) remain; none sits next to a convolution.
        Assert.Equal(6, ops["Transpose"]);
        Assert.Equal(34, graph.Nodes.Count(n => n.OpType == "Conv" && n.Inputs.Count == 3));
        Assert.Equal(OutputNames, graph.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["batch", 3L, 416L, 416L], graph.Inputs.Single().Dims);
    }

    [Fact]
    public void Convert_NanoDet_OptimizedOutputsEqualUnoptimizedOutputs()
    {
        var optimized = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(Source.Value));
        var plain = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(Source.Value, new ConversionOptions { Optimize = false }));
        var input = OrtRunner.RandomInput(InputCount, seed: 7);

        var a = OrtRunner.Run(optimized, "input_1", input, [1, 3, 416, 416]);
        var b = OrtRunner.Run(plain, "input_1", input, [1, 3, 416, 416]);

        foreach (var name in OutputNames)
        {
            Assert.Equal(b[name].Shape, a[name].Shape);
            Assert.True(OrtRunner.MaxAbsDifference(a[name].Data, b[name].Data) <= 1e-4f, name);
        }
    }

    [Fact]
    public void Convert_NanoDet_BatchOfFourEqualsFourSingleRuns()
    {
        var model = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(Source.Value));
        var batch = new float[4 * InputCount];
        var singles = new List<Dictionary<string, (float[] Data, long[] Shape)>>();
        for (var i = 0; i < 4; i++)
        {
            var item = OrtRunner.RandomInput(InputCount, seed: 100 + i);
            item.CopyTo(batch, i * InputCount);
            singles.Add(OrtRunner.Run(model, "input_1", item, [1, 3, 416, 416]));
        }

        var batched = OrtRunner.Run(model, "input_1", batch, [4, 3, 416, 416]);

        foreach (var name in OutputNames)
        {
            var (data, shape) = batched[name];
            var single = singles[0][name];
            Assert.Equal([4L, single.Shape[1], single.Shape[2]], shape);
            var per = single.Data.Length;
            for (var i = 0; i < 4; i++)
            {
                Assert.True(OrtRunner.MaxAbsDifference(data.AsSpan(i * per, per), singles[i][name].Data) <= 1e-4f, $"{name} item {i}");
            }
        }
    }
}
