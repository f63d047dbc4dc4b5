using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

public sealed class ScoreThresholdsTests
{
    [Fact]
    public void Lowest_PerClassThresholds_TheSmallest()
    {
        Assert.Equal(0.25f, ScoreThresholds.Lowest([0.5f, 0.25f, 0.9f, 0.3f]));
    }

    [Fact]
    public void Lowest_NoClasses_PositiveInfinitySoNoScorePasses()
    {
        Assert.Equal(float.PositiveInfinity, ScoreThresholds.Lowest([]));
    }
}
