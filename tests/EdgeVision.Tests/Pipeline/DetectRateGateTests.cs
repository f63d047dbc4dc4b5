using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

public sealed class DetectRateGateTests
{
    private static TimeSpan Frame(int index, double fps) => TimeSpan.FromTicks((long)Math.Round(index * TimeSpan.TicksPerSecond / fps));

    [Fact]
    public void Take_TenFpsStreamAtTwoFps_TakesEveryFifthFrame()
    {
        var gate = new DetectRateGate(2);

        var taken = Enumerable.Range(0, 30).Where(i => gate.Take(Frame(i, 10))).ToArray();

        Assert.Equal([0, 5, 10, 15, 20, 25], taken);
    }

    [Fact]
    public void Take_TwentyFiveFpsStreamAtThreeFps_TakesThreePerSecondWithoutDrift()
    {
        var gate = new DetectRateGate(3);

        var taken = Enumerable.Range(0, 250).Count(i => gate.Take(Frame(i, 25)));

        Assert.Equal(30, taken);
    }

    [Fact]
    public void Take_NoRate_TakesEveryFrame()
    {
        var gate = new DetectRateGate(null);

        Assert.All(Enumerable.Range(0, 10), i => Assert.True(gate.Take(Frame(i, 10))));
    }

    [Fact]
    public void Take_TimeRunsBackwards_StartsAgainFromThatFrame()
    {
        var gate = new DetectRateGate(1);
        Assert.True(gate.Take(TimeSpan.FromSeconds(10)));
        Assert.False(gate.Take(TimeSpan.FromSeconds(10.5)));

        Assert.True(gate.Take(TimeSpan.Zero));
        Assert.False(gate.Take(TimeSpan.FromSeconds(0.5)));
        Assert.True(gate.Take(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Take_AfterALongGap_SchedulesFromTheFrameAfterTheGap()
    {
        var gate = new DetectRateGate(1);
        Assert.True(gate.Take(TimeSpan.Zero));

        Assert.True(gate.Take(TimeSpan.FromSeconds(5.5)));
        Assert.False(gate.Take(TimeSpan.FromSeconds(6)));
        Assert.True(gate.Take(TimeSpan.FromSeconds(6.5)));
    }
}
