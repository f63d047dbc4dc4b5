using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class LineCounterTests
{
    // Vertical line at x = 500 drawn upwards: its left side is the left of the picture. Boxes are 100 px tall,
    // so the band around the line is 10 px each side.
    private static LineCounter Door(string inDirection = LineOptions.LeftToRight, List<string>? labels = null)
    {
        var counter = new LineCounter(
            [new LineOptions { Name = "door", A = [500, 1000], B = [500, 0], InDirection = inDirection, Labels = labels ?? [] }],
            marginFraction: 0.1f);
        counter.SetFrameSize(SyntheticScene.Width, SyntheticScene.Height);
        return counter;
    }

    private static List<LineHit> Walk(LineCounter counter, int id, float y, params float[] xs)
    {
        var hits = new List<LineHit>();
        var passage = counter.Start(SyntheticScene.Object(id, xs[0], y));
        for (var i = 1; i < xs.Length; i++)
        {
            counter.Update(passage, SyntheticScene.Object(id, xs[i], y), 0.9f, hits);
        }

        return hits;
    }

    private static float[] Steps(float from, float to, float step)
    {
        var xs = new List<float>();
        for (var x = from; step > 0 ? x <= to : x >= to; x += step)
        {
            xs.Add(x);
        }

        return [.. xs];
    }

    [Fact]
    public void Update_WalksLeftToRight_CountsOneIn()
    {
        Assert.Equal([new LineHit(0, CrossingDirection.In)], Walk(Door(), 1, 600, Steps(300, 700, 20)));
    }

    [Fact]
    public void Update_WalksRightToLeft_CountsOneOut()
    {
        Assert.Equal([new LineHit(0, CrossingDirection.Out)], Walk(Door(), 1, 600, Steps(700, 300, -20)));
    }

    [Fact]
    public void Update_InDirectionRightToLeft_SwapsTheNames()
    {
        Assert.Equal([new LineHit(0, CrossingDirection.Out)], Walk(Door(LineOptions.RightToLeft), 1, 600, Steps(300, 700, 20)));
    }

    [Fact]
    public void Update_CrossesInOneFrameStep_CountsIt()
    {
        Assert.Equal([new LineHit(0, CrossingDirection.In)], Walk(Door(), 1, 600, 450, 550));
    }

    [Fact]
    public void Update_WigglesOnTheLineAfterCrossing_CountsOnce()
    {
        // Crosses, then the foot jitters ±8 px around the line (inside the 10 px band) for 60 frames.
        var xs = new List<float> { 400, 450, 520 };
        for (var i = 0; i < 60; i++)
        {
            xs.Add(i % 2 == 0 ? 492 : 508);
        }

        xs.Add(560);

        Assert.Equal([new LineHit(0, CrossingDirection.In)], Walk(Door(), 1, 600, [.. xs]));
    }

    [Fact]
    public void Update_PacesBackAndForthAcross_CountsOneInAndOneOut()
    {
        var hits = Walk(Door(), 1, 600, 400, 600, 400, 600, 400, 600, 400);

        Assert.Equal([new LineHit(0, CrossingDirection.In), new LineHit(0, CrossingDirection.Out)], hits);
    }

    [Fact]
    public void Update_TouchesTheLineAndTurnsBack_CountsNothing()
    {
        Assert.Empty(Walk(Door(), 1, 600, 400, 450, 490, 500, 500, 495, 450, 400));
    }

    [Fact]
    public void Update_StartsOnTheLineAndWalksAway_CountsNothing()
    {
        Assert.Empty(Walk(Door(), 1, 600, 500, 505, 530, 600));
    }

    [Fact]
    public void Update_PassesBeyondTheEndOfTheSegment_CountsNothing()
    {
        // y = 1050 is below A (the line ends at y = 1000): walking around the door, not through it.
        Assert.Empty(Walk(Door(), 1, 1050, Steps(300, 700, 20)));
    }

    [Fact]
    public void Update_LabelNotInTheLineFilter_CountsNothing()
    {
        var counter = Door(labels: ["car"]);

        Assert.Empty(Walk(counter, 1, 600, Steps(300, 700, 20)));
    }

    [Fact]
    public void Update_TwoTracksInOppositeDirections_CountsEachOnce()
    {
        var counter = Door();
        var hits = new List<LineHit>();
        var first = counter.Start(SyntheticScene.Object(1, 300, 600));
        var second = counter.Start(SyntheticScene.Object(2, 700, 800));
        for (var step = 1; step <= 20; step++)
        {
            counter.Update(first, SyntheticScene.Object(1, 300 + step * 20, 600), 0.9f, hits);
            counter.Update(second, SyntheticScene.Object(2, 700 - step * 20, 800), 0.9f, hits);
        }

        Assert.Equal([new LineHit(0, CrossingDirection.In), new LineHit(0, CrossingDirection.Out)], hits);
        Assert.True(first.HasCrossed(0, CrossingDirection.In));
        Assert.False(first.HasCrossed(0, CrossingDirection.Out));
        Assert.True(second.HasCrossed(0, CrossingDirection.Out));
    }

    [Fact]
    public void Update_NormalizedLine_ScalesWithTheFrame()
    {
        var counter = new LineCounter([new LineOptions { Name = "door", A = [0.5f, 1], B = [0.5f, 0] }]);
        counter.SetFrameSize(1000, 1000);

        Assert.Equal([new LineHit(0, CrossingDirection.In)], Walk(counter, 1, 600, 400, 600));
    }
}
