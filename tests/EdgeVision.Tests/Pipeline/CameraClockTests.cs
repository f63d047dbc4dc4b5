using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

/// <summary>The shared time base of a pipeline's cameras and each camera's phase on it: arithmetic, no waiting.</summary>
public sealed class CameraClockTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void ForCameras_Staggered_PhasesIOverNOnOneEpoch()
    {
        var clocks = CameraClock.ForCameras(4, stagger: true);

        Assert.Equal([0, 0.25, 0.5, 0.75], clocks.Select(c => c.Phase));
        Assert.Single(clocks.Select(c => c.Epoch).Distinct());
    }

    [Fact]
    public void ForCameras_NotStaggered_AllPhaseZero()
    {
        Assert.All(CameraClock.ForCameras(3, stagger: false), c => Assert.Equal(0, c.Phase));
    }

    [Theory]
    [InlineData(true, 50)]
    [InlineData(false, 0)]
    public void GridPointFrom_TwoTenFpsCameras_ReleaseHalfAFrameApartWhenStaggered(bool stagger, double offsetMs)
    {
        var clocks = CameraClock.ForCameras(2, stagger);

        // The release points of each camera from t = 0 on, frame after frame.
        var first = Releases(clocks[0]);
        var second = Releases(clocks[1]);

        Assert.Equal([0, 100, 200, 300, 400], first);
        Assert.Equal(first.Select(t => t + offsetMs), second);
    }

    [Theory]
    [InlineData(0, 0.5, 50)]     // before the first point of phase ½: that point
    [InlineData(50, 0.5, 50)]    // on a point: that point
    [InlineData(51, 0.5, 150)]   // just past it: the next one
    [InlineData(249, 0.25, 325)]
    [InlineData(250, 0, 300)]
    public void GridPoint_FirstPointAtOrAfterTheTime(double timeMs, double phase, double expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), CameraClock.GridPoint(TimeSpan.FromMilliseconds(timeMs), Interval, phase));
    }

    [Fact]
    public void GridPoint_IntervalNotPositive_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CameraClock.GridPoint(TimeSpan.Zero, TimeSpan.Zero, 0));
    }

    private static double[] Releases(CameraClock clock)
    {
        var releases = new List<double>();
        var time = TimeSpan.Zero;
        for (var i = 0; i < 5; i++)
        {
            var point = clock.GridPointFrom(time, Interval);
            releases.Add(point.TotalMilliseconds);
            time = point + TimeSpan.FromTicks(1);
        }

        return [.. releases];
    }
}
