using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Quantization;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// The least-squared-error ranges (<c>--method mse</c>): each checked against the error the quantizer's own 8-bit grid
/// gives on the values, not against the histogram's estimate of it.
/// </summary>
public sealed class LeastErrorRangeTests
{
    [Fact]
    public void LeastErrorRange_HeavyTails_ClipsThemAndComesWithinTwoPercentOfTheBestRangeOnAGrid()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 50_000).Select(_ => Laplace(random, 0.5)).ToList();
        var range = LeastError(values);

        var error = GridError(values, range);
        var minMax = GridError(values, new TensorRange(values.Min(), values.Max()));

        // The best range found by quantizing the values on 80 × 80 candidate ranges, ends 0.1 apart up to ±8.
        var best = double.PositiveInfinity;
        for (var high = 1; high <= 80; high++)
        {
            for (var low = 1; low <= 80; low++)
            {
                best = Math.Min(best, GridError(values, new TensorRange(-low * 0.1f, high * 0.1f)));
            }
        }

        Assert.True(range.Max < 0.95f * values.Max() && range.Min > 0.95f * values.Min(), $"the tails are clipped: [{range.Min}, {range.Max}] of [{values.Min()}, {values.Max()}]");
        Assert.True(error < 0.95 * minMax, $"squared error {error:G4} against {minMax:G4} with the min-max range");
        Assert.True(error <= 1.02 * best, $"squared error {error:G4} against {best:G4}, the best on the grid");
    }

    [Fact]
    public void LeastErrorRange_ReluOutputWithMostlyZeros_StartsAtZeroAndIsNotPulledInByTheZeros()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 100_000).Select(i => i % 10 < 7 ? 0f : (float)(-Math.Log(1 - random.NextDouble()) * 2)).ToList();
        var range = LeastError(values);

        Assert.Equal(0f, range.Min);

        // The zeros are exact on every grid, so the best range is the one for the non-zero values alone.
        var nonZero = values.Where(v => v != 0).ToList();
        var alone = LeastError(nonZero.Append(0f).ToList());
        Assert.InRange(range.Max, alone.Max * 0.98f, alone.Max * 1.02f);
        Assert.True(range.Max > 8, $"an exponential tail with mean 2 keeps its bulk: max {range.Max}");
    }

    [Fact]
    public void LeastErrorRange_UniformValuesWithoutOutliers_KeepsNearlyTheWholeRange()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 100_000).Select(_ => (float)((random.NextDouble() * 4) - 1)).ToList();
        var range = LeastError(values);

        Assert.InRange(range.Min, -1.01f, -0.97f);
        Assert.InRange(range.Max, 2.97f, 3.01f);
    }

    [Fact]
    public void Collect_MseRanges_GiveAnInnerTensorItsLeastErrorRangeButKeepTheFullRangeOfTheModelsAnswer()
    {
        // x [1,1,200,200] → Conv (identity) → y, the graph output: y's rare high values are the answers.
        var graph = new OnnxGraph();
        graph.Inputs.Add(new OnnxValueInfo("x", ElementType.Float, [1L, 1L, 200L, 200L]));
        graph.Outputs.Add(new OnnxValueInfo("y", ElementType.Float, null));
        graph.Initializers["w"] = TensorData.FromFloats([1f], 1, 1, 1, 1);
        graph.Nodes.Add(new OnnxNode("Conv", "conv", ["x", "w"], ["y"]));
        var random = new Random(5);
        var frames = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 40_000).Select(_ => Laplace(random, 0.2)).ToArray()).ToList();
        var all = frames.SelectMany(f => f).ToList();

        var ranges = CalibrationCollector.Collect(graph, ["x", "y"], () => frames, new QuantizationOptions { Method = CalibrationMethod.Mse }, threads: 1);

        Assert.Equal(LeastError(all), ranges["x"]);
        Assert.True(ranges["x"].Max < 0.95f * all.Max(), $"the inner tensor's tail is clipped: {ranges["x"].Max} of {all.Max()}");
        Assert.Equal(all.Max(), ranges["y"].Max, 4);
        Assert.Equal(all.Min(), ranges["y"].Min, 4);
    }

    private static TensorRange LeastError(List<float> values)
    {
        var histogram = new ValueHistogram(new TensorRange(values.Min(), values.Max()));
        histogram.Add(values.ToArray());
        return histogram.LeastErrorRange();
    }

    /// <summary>Total squared error of quantizing the values on the uint8 grid the quantizer builds for a range (its own scale and zero point).</summary>
    private static double GridError(List<float> values, TensorRange range)
    {
        var (scale, zeroPoint) = QdqQuantizer.ActivationParameters(range, ActivationType.UInt8);
        double total = 0;
        foreach (var v in values)
        {
            var q = Math.Clamp(MathF.Round(v / scale) + zeroPoint, 0, 255);
            var d = v - ((q - zeroPoint) * scale);
            total += (double)d * d;
        }

        return total;
    }

    private static float Laplace(Random random, double scale)
    {
        var u = random.NextDouble() - 0.5;
        return (float)(-scale * Math.Sign(u) * Math.Log(1 - (2 * Math.Abs(u))));
    }
}
