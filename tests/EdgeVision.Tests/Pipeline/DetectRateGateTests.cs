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
    public void Take_AfterALongGap_TakesTheFrameAfterTheGapThenRejoinsTheGrid()
    {
        var gate = new DetectRateGate(1);
        Assert.True(gate.Take(TimeSpan.Zero));

        Assert.True(gate.Take(TimeSpan.FromSeconds(5.4)));
        Assert.False(gate.Take(TimeSpan.FromSeconds(5.9)));
        Assert.True(gate.Take(TimeSpan.FromSeconds(6)));
        Assert.False(gate.Take(TimeSpan.FromSeconds(6.5)));
        Assert.True(gate.Take(TimeSpan.FromSeconds(7)));
    }

    [Fact]
    public void Take_PhaseHalf_TakesTheFirstFrameAtOrAfterEachHalfInterval()
    {
        // A 10 fps stream at 2 fps with phase 0.5: due at 0.25 s, 0.75 s, … after the first frame.
        var gate = new DetectRateGate(2, phase: 0.5);

        var taken = Enumerable.Range(0, 30).Where(i => gate.Take(Frame(i, 10))).ToArray();

        Assert.Equal([0, 3, 8, 13, 18, 23, 28], taken);
    }

    [Fact]
    public void Take_FourCamerasWithStaggeredPhases_NeverTakeTheSameFrameTime()
    {
        // Four 25 fps streams detected at 5 fps: with phases 0, ¼, ½, ¾ each camera's frames fall in its own
        // quarter of every 200 ms, so inference sees them one after another.
        var gates = Enumerable.Range(0, 4).Select(i => new DetectRateGate(5, i / 4.0)).ToArray();
        var takenAt = Enumerable.Range(0, 4).Select(_ => new List<int>()).ToArray();
        for (var frame = 1; frame < 250; frame++)
        {
            for (var camera = 0; camera < 4; camera++)
            {
                if (gates[camera].Take(Frame(frame, 25)))
                {
                    takenAt[camera].Add(frame);
                }
            }
        }

        Assert.All(takenAt, frames => Assert.InRange(frames.Count, 49, 51));

        // Every camera takes the first frame it sees; from then on each keeps to its own quarter.
        var collisions = takenAt.SelectMany(f => f.Skip(1)).GroupBy(f => f).Count(g => g.Count() > 1);
        Assert.Equal(0, collisions);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Constructor_PhaseOutsideZeroToOne_Throws(double phase) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DetectRateGate(2, phase));
}
