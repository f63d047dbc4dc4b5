using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

public sealed class LatencyReservoirTests
{
    [Fact]
    public void TakeInterval_OneToHundred_ReportsNearestRankPercentiles()
    {
        var reservoir = new LatencyReservoir("inference");
        foreach (var value in Enumerable.Range(1, 100).Reverse())
        {
            reservoir.Record(value);
        }

        var latency = reservoir.TakeInterval();

        Assert.Equal(new StageLatency("inference", 50.5, 50, 99, 100) { Count = 100 }, latency);
    }

    [Fact]
    public void TakeInterval_CalledTwice_SecondIntervalIsEmpty()
    {
        var reservoir = new LatencyReservoir("publish");
        reservoir.Record(3);
        reservoir.TakeInterval();

        var latency = reservoir.TakeInterval();

        Assert.Equal(new StageLatency("publish", 0, 0, 0, 0) { Count = 0 }, latency);
    }

    [Fact]
    public void Record_FarMoreValuesThanCapacity_KeepsExactCountMeanAndMax()
    {
        var reservoir = new LatencyReservoir("preprocess", capacity: 64);
        for (var i = 1; i <= 100_000; i++)
        {
            reservoir.Record(i % 10);
        }

        var latency = reservoir.TakeInterval();

        Assert.Equal(100_000, latency.Count);
        Assert.Equal(4.5, latency.MeanMs, precision: 9);
        Assert.Equal(9, latency.MaxMs);
    }

    [Fact]
    public void Record_RisingValuesFarBeyondCapacity_PercentilesComeFromTheWholeIntervalNotItsStartOrEnd()
    {
        // 1 … 100 000 in order: a reservoir keeping only the first or the last 64 values would put the median near
        // 32 or near 99 968. A uniform sample of 64 puts it near 50 000, with a spread of about 6 250 (seeded, so
        // the figure is the same on every run); the range allows four times that.
        var reservoir = new LatencyReservoir("preprocess", capacity: 64);
        for (var i = 1; i <= 100_000; i++)
        {
            reservoir.Record(i);
        }

        var latency = reservoir.TakeInterval();

        Assert.InRange(latency.P50Ms, 25_000, 75_000);
        Assert.InRange(latency.P99Ms, 90_000, 100_000);
        Assert.Equal(100_000, latency.MaxMs);
    }
}
