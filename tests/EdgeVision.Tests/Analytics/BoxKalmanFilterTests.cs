using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class BoxKalmanFilterTests
{
    [Fact]
    public void PredictUpdate_OneStepOfFivePixels_MovesByTheKalmanGain()
    {
        // Box 40×100: size √4000, so P00 = (2·0.05·size)² = 40, P11 = (2·size)² = 16000, R = (0.05·size)² = 10.
        // Predict 0.1 s: P00 = 40 + 0.01·16000 + 0.05²·4000·0.1 = 201, P01 = 1600.
        // Update with the centre 5 px right: x += 5·201/211, vx = 5·1600/211.
        var filter = new BoxKalmanFilter(new BoxF(100, 100, 140, 200));

        filter.Predict(0.1);
        Assert.Equal(201.0, filter.CentreXVariance, 1e-9);
        filter.Update(new BoxF(105, 100, 145, 200));

        Assert.Equal(120 + (5 * 201.0 / 211), (filter.Box.X1 + filter.Box.X2) / 2, 1e-3);
        Assert.Equal(5 * 1600.0 / 211, filter.VelocityX, 1e-3);
        Assert.Equal(0f, filter.VelocityY);
        Assert.Equal(10 * 201.0 / 211, filter.CentreXVariance, 1e-9);
    }

    [Fact]
    public void Predict_AfterThreeSecondsOfSteadyMotion_LandsOnTheTrueBox()
    {
        // 60 px/s right and 20 px/s down at 10 fps: after 30 detections the filter's velocity is the true one.
        var filter = new BoxKalmanFilter(new BoxF(100, 100, 140, 200));
        for (var step = 1; step <= 30; step++)
        {
            filter.Predict(0.1);
            filter.Update(new BoxF(100 + (6f * step), 100 + (2f * step), 140 + (6f * step), 200 + (2f * step)));
        }

        filter.Predict(0.5);

        Assert.Equal(60f, filter.VelocityX, 1f);
        Assert.Equal(20f, filter.VelocityY, 1f);
        var box = filter.Box;
        Assert.Equal(310f, box.X1, 1f);
        Assert.Equal(170f, box.Y1, 1f);
        Assert.Equal(40f, box.Width, 0.5f);
        Assert.Equal(100f, box.Height, 0.5f);
    }

    [Fact]
    public void Predict_HoldSize_StopsAShrinkingBoxFromShrinking()
    {
        var filter = new BoxKalmanFilter(new BoxF(0, 0, 40, 100));
        for (var step = 1; step <= 20; step++)
        {
            filter.Predict(0.1);
            filter.Update(new BoxF(0, 0, 40 - step, 100 - (2 * step)));
        }

        var before = filter.Box;
        filter.Predict(1.0, holdSize: true);

        Assert.Equal(before.Width, filter.Box.Width, 1e-3f);
        Assert.Equal(before.Height, filter.Box.Height, 1e-3f);
    }
}
