using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

public sealed class LetterboxTransformTests
{
    [Theory]
    [InlineData(768, 576, 416, 312, 0, 52)] // vtest.avi: scale 13/24
    [InlineData(640, 480, 416, 312, 0, 52)]
    [InlineData(1920, 1080, 416, 234, 0, 91)] // 1080·0.21667 = 234.0
    [InlineData(1000, 333, 416, 139, 0, 138)] // 333·0.416 = 138.53 rounds up, odd padding 277 → 138 above
    [InlineData(333, 1000, 139, 416, 138, 0)]
    [InlineData(416, 416, 416, 416, 0, 0)]
    [InlineData(100, 50, 416, 208, 0, 104)] // upscaling
    public void For_SourceSize_GivesScaledSizeAndPadding(int width, int height, int scaledWidth, int scaledHeight, int padX, int padY)
    {
        var transform = LetterboxTransform.For(width, height, 416, 416);

        Assert.Equal(
            (scaledWidth, scaledHeight, padX, padY, width, height),
            (transform.ScaledWidth, transform.ScaledHeight, transform.PadX, transform.PadY, transform.SourceWidth, transform.SourceHeight));
        Assert.Equal((float)Math.Min(416.0 / width, 416.0 / height), transform.Scale);
    }

    [Fact]
    public void ToSource_PointsInsideAndInPadding_MapBackAndClamp()
    {
        var transform = LetterboxTransform.For(768, 576, 416, 416);

        Assert.Equal(384f, transform.ToSourceX(208f), 1e-3f);
        Assert.Equal(288f, transform.ToSourceY(208f), 1e-3f);
        Assert.Equal(0f, transform.ToSourceY(10f)); // in the top padding
        Assert.Equal(576f, transform.ToSourceY(410f)); // in the bottom padding
        Assert.Equal(768f, transform.ToSourceX(500f)); // beyond the network input
    }
}
