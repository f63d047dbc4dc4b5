using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

/// <summary>The converter on the real MobileNetV3-CenterNet TF.js model from npm: the graph it makes and its batching.</summary>
public sealed class CenterNetConversionTests
{
    private const int InputCount = 3 * 512 * 512;
    private const string Input = "tower_0/images";
    private static readonly string[] Shipped = ["tower_0/keypoints", "tower_0/wh"];

    private static readonly Lazy<TfjsGraphModel> Source = new(() => TfjsGraphModel.Load(RepositoryPaths.CenterNetSourceJson));

    /// <summary>The options the committed file is made with (scripts/build-models.sh).</summary>
    internal static ConversionOptions ShippedOptions { get; } = new() { Outputs = Shipped, ChannelsFirstInputs = true };

    [Fact]
    public void Convert_CenterNet_CleanNchwWithTheTwoHeadOutputs()
    {
        var graph = TfjsToOnnxConverter.Convert(Source.Value, ShippedOptions);

        var ops = graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(89, ops["Conv"]);
        Assert.Equal(9, ops["ReduceMean"]);

        // The only Transposes left turn the two NCHW results into the NHWC outputs TF.js defines.
        var transposes = graph.Nodes.Where(n => n.OpType == "Transpose").ToList();
        Assert.Equal(2, transposes.Count);
        Assert.All(transposes, t => Assert.Contains(t.Outputs[0], Shipped));
        Assert.DoesNotContain(graph.Nodes, n => n.OpType is "TopK" or "Gather" or "MaxPool");
        Assert.Equal(Shipped, graph.Outputs.Select(o => o.Name));
        Assert.Equal(["batch", 3L, 512L, 512L], graph.Inputs.Single().Dims);
    }

    [Fact]
    public void Convert_CenterNet_OptimizedOutputsEqualUnoptimizedOutputs()
    {
        var optimized = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(Source.Value, ShippedOptions));
        var plain = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(Source.Value, ShippedOptions with { Optimize = false }));
        var input = ImageLike(seed: 7);

        var a = OrtRunner.Run(optimized, Input, input, [1, 3, 512, 512]);
        var b = OrtRunner.Run(plain, Input, input, [1, 3, 512, 512]);

        foreach (var name in Shipped)
        {
            Assert.Equal(b[name].Shape, a[name].Shape);
            Assert.True(OrtRunner.MaxAbsDifference(a[name].Data, b[name].Data) <= 1e-4f, name);
        }
    }

    [Fact]
    public void Convert_CenterNet_BatchOfTwoEqualsTwoSingleRuns()
    {
        var model = OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(Source.Value, ShippedOptions));
        var batch = new float[2 * InputCount];
        var singles = new List<Dictionary<string, (float[] Data, long[] Shape)>>();
        for (var i = 0; i < 2; i++)
        {
            var item = ImageLike(seed: 100 + i);
            item.CopyTo(batch, i * InputCount);
            singles.Add(OrtRunner.Run(model, Input, item, [1, 3, 512, 512]));
        }

        var batched = OrtRunner.Run(model, Input, batch, [2, 3, 512, 512]);

        foreach (var name in Shipped)
        {
            var (data, shape) = batched[name];
            Assert.Equal(2L, shape[0]);
            var per = singles[0][name].Data.Length;
            for (var i = 0; i < 2; i++)
            {
                Assert.True(OrtRunner.MaxAbsDifference(data.AsSpan(i * per, per), singles[i][name].Data) <= 1e-4f, $"{name} item {i}");
            }
        }
    }

    /// <summary>Pixel-like values 0–255 (the network takes raw pixels), reproducible.</summary>
    private static float[] ImageLike(int seed) => [.. OrtRunner.RandomInput(InputCount, seed).Select(v => (v + 2) * 63.75f)];
}
