using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void NextDelay_NoJitter_DoublesUpToTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), () => 0);

        var delays = Enumerable.Range(0, 7).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays);
        Assert.Equal(7, backoff.Failures);
    }

    [Fact]
    public void NextDelay_LargestJitter_HalvesTheDelay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), () => 1);

        var delays = Enumerable.Range(0, 3).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();

        Assert.Equal([0.5, 1, 2], delays);
    }

    [Fact]
    public void NextDelay_RandomJitter_StaysWithinHalfAndAllOfTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        var delays = new List<TimeSpan>();
        for (var failure = 0; failure < 200; failure++)
        {
            delays.Add(backoff.NextDelay());
        }

        // From the sixth failure on, the doubled delay (32 s) is past the 30 s cap.
        Assert.All(delays[5..], d => Assert.InRange(d, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)));
        Assert.Equal(200, backoff.Failures);
    }

    [Fact]
    public void Reset_AfterFailures_StartsAgainFromTheInitialDelay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), () => 0);
        backoff.NextDelay();
        backoff.NextDelay();

        backoff.Reset();

        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.NextDelay());
    }

    [Theory]
    [InlineData(0.0, 1200)]
    [InlineData(0.5, 1000)]
    [InlineData(1.0, 800)]
    public void NextDelay_SymmetricJitter_ScalesBetweenLowestAndHighest(double random, int expectedMs)
    {
        // The MQTT session's policy: 0.8–1.2× of each step.
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), () => random, lowest: 0.8, highest: 1.2);

        Assert.Equal(expectedMs, backoff.NextDelay().TotalMilliseconds, 1e-6);
        Assert.Equal(expectedMs * 2, backoff.NextDelay().TotalMilliseconds, 1e-6);
    }

    [Fact]
    public void Exact_NoJitter_DoublesUpToTheCap()
    {
        // Publish retries: 100, 200, 400 ms, then the 800 ms cap.
        var backoff = ReconnectBackoff.Exact(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(800));

        Assert.Equal([100.0, 200, 400, 800, 800], Enumerable.Range(0, 5).Select(_ => backoff.NextDelay().TotalMilliseconds));
    }
}
