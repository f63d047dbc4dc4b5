using EdgeVision.EdgeAgent.Hosting;

namespace EdgeVision.Tests.Agent;

public sealed class FrameFlowWatchdogTests
{
    [Theory]
    [InlineData("30000000", 15000)]
    [InlineData("1000000", 500)]
    public void PingInterval_WatchdogUsec_IsHalfThePeriod(string usec, double expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), FrameFlowWatchdog.PingInterval(usec));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    public void PingInterval_NoUsableWatchdog_IsNull(string? usec) => Assert.Null(FrameFlowWatchdog.PingInterval(usec));

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(10, 10, false)]
    [InlineData(10, 11, true)]
    public void FramesFlowed_ProcessedTotals_TrueOnlyWhenTheyMoved(long previous, long current, bool expected) =>
        Assert.Equal(expected, FrameFlowWatchdog.FramesFlowed(previous, current));
}
