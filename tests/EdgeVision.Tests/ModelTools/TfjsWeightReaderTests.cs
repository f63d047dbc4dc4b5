using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.ModelTools;

/// <summary>Weights as the TF.js converter stores them: plain, float16, uint8-affine, back to back in one shard.</summary>
public sealed class TfjsWeightReaderTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Load_Float16Weight_DecodesEachValueExactly()
    {
        // 0x0001 is the smallest float16 subnormal (2^-24), 0x03FF the largest (1023 · 2^-24).
        Half[] stored = [(Half)0.5f, (Half)(-2f), Half.MaxValue, BitConverter.UInt16BitsToHalf(0x0001), BitConverter.UInt16BitsToHalf(0x03FF), (Half)(-0.099975586f)];
        var json = new TfjsModelBuilder().ConstFloat16("w", stored, 2, 3).Output("w").Write(_directory.Path);

        var weight = TfjsGraphModel.Load(json).Weights["w"];

        Assert.Equal(ElementType.Float, weight.Type);
        Assert.Equal(new long[] { 2, 3 }, weight.Shape);
        Assert.Equal([0.5f, -2f, 65504f, float.ScaleB(1f, -24), 1023 * float.ScaleB(1f, -24), -0.099975586f], weight.ToFloatArray());
    }

    [Fact]
    public void Load_Uint8AffineBetweenPlainWeights_DecodesCodeTimesScalePlusMin()
    {
        var json = new TfjsModelBuilder()
            .ConstFloat("before", [1.5f, -2.25f], 2)
            .ConstUInt8("q", [0, 1, 128, 255], scale: 0.5f, min: -1f, 2, 2)
            .ConstInt("after", [7, -3, 2_000_000_000], 3)
            .Output("q")
            .Write(_directory.Path);

        var weights = TfjsGraphModel.Load(json).Weights;

        Assert.Equal([1.5f, -2.25f], weights["before"].ToFloatArray());
        Assert.Equal([-1f, -0.5f, 63f, 126.5f], weights["q"].ToFloatArray());
        Assert.Equal(new long[] { 2, 2 }, weights["q"].Shape);
        Assert.Equal(ElementType.Int32, weights["after"].Type);
        Assert.Equal(new long[] { 7, -3, 2_000_000_000 }, weights["after"].ToLongArray());
    }

    [Fact]
    public void Load_ManifestLongerThanShard_NamesTheWeightThatDoesNotFit()
    {
        var json = new TfjsModelBuilder()
            .ConstFloat("first", [1, 2, 3, 4], 4)
            .ConstFloat("second", [5, 6, 7, 8], 4)
            .Output("second")
            .Write(_directory.Path, shardByteLimit: 20);

        var error = Assert.Throws<ModelException>(() => TfjsGraphModel.Load(json));

        Assert.Equal("weight 'second' runs past the end of the weight files (20 bytes)", error.Message);
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("../model-copy/group1-shard1of1.bin")] // a sibling folder whose name starts with the model folder's
    public void Load_ShardPathLeavingModelFolder_IsRefused(string shardPath)
    {
        var modelFolder = Directory.CreateDirectory(_directory.Combine("model")).FullName;
        var json = new TfjsModelBuilder { ShardPath = shardPath }.ConstFloat("w", [1], 1).Output("w").Write(modelFolder);

        var error = Assert.Throws<ModelException>(() => TfjsGraphModel.Load(json));

        Assert.Equal($"weight shard path '{shardPath}' points outside the model's folder", error.Message);
    }

    [Fact]
    public void Load_ShardInSubfolder_IsRead()
    {
        var json = new TfjsModelBuilder { ShardPath = "weights/../weights/w.bin" }.ConstFloat("w", [0.25f], 1).Output("w").Write(_directory.Path);

        Assert.Equal([0.25f], TfjsGraphModel.Load(json).Weights["w"].ToFloatArray());
    }
}
