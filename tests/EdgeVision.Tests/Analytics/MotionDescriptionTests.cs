using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class MotionDescriptionTests
{
    [Theory]
    [InlineData(50, 0, "right")]
    [InlineData(50, -50, "up-right")]
    [InlineData(0, -50, "up")]
    [InlineData(-50, -50, "up-left")]
    [InlineData(-50, 0, "left")]
    [InlineData(-50, 50, "down-left")]
    [InlineData(0, 50, "down")]
    [InlineData(50, 50, "down-right")]
    [InlineData(50, 10, "right")]
    public void DirectionOf_Velocity_NamesTheDirectionOnTheImage(float vx, float vy, string expected)
    {
        Assert.Equal(expected, MotionDescription.DirectionOf(SyntheticScene.Object(1, 500, 500, velocityX: vx, velocityY: vy)));
    }

    [Theory]
    [InlineData(100, 5, SpeedClass.Stationary)]
    [InlineData(100, 30, SpeedClass.Slow)]
    [InlineData(100, 80, SpeedClass.Walking)]
    [InlineData(100, 200, SpeedClass.Fast)]
    [InlineData(400, 200, SpeedClass.Walking)]
    [InlineData(25, 30, SpeedClass.Walking)]
    public void ClassOf_SpeedRelativeToBoxHeight_IsTheSameAtAnyScale(float height, float speed, SpeedClass expected)
    {
        Assert.Equal(expected, MotionDescription.ClassOf(SyntheticScene.Object(1, 500, 500, height: height, velocityX: speed)));
    }

    [Fact]
    public void DirectionOf_TrackerSaysStationary_IsNull()
    {
        Assert.Null(MotionDescription.DirectionOf(SyntheticScene.Object(1, 500, 500, stationary: true, velocityX: 80)));
    }
}
