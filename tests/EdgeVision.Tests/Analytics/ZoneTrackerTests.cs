using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class ZoneTrackerTests
{
    // A pixel square from (100,100) to (500,500).
    private static ZoneTracker Porch(int enterFrames = 3, int leaveFrames = 3, float minArea = 0)
    {
        var tracker = new ZoneTracker(
            [new ZoneOptions { Name = "porch", Points = [[100, 100], [500, 100], [500, 500], [100, 500]], MinArea = minArea }],
            enterFrames,
            leaveFrames);
        tracker.SetFrameSize(SyntheticScene.Width, SyntheticScene.Height);
        return tracker;
    }

    private static TrackSnapshot At(float footX, float footY) => SyntheticScene.Object(1, footX, footY);

    [Fact]
    public void Start_BornInside_IsInsideAtOnce()
    {
        var membership = Porch().Start(At(300, 300), 0.9f, TimeSpan.Zero);

        Assert.True(membership.IsInside(0));
        Assert.True(membership.HasEntered(0));
    }

    [Fact]
    public void Contains_TestsTheBottomCentreNotTheBox()
    {
        var tracker = Porch();

        // Box spans y 450–550 and overlaps the zone, but the feet at y = 550 are outside.
        Assert.False(tracker.Contains(0, At(300, 550), 0.9f));
        // Box spans y 0–100, wholly above the zone but for its bottom edge, where the feet are.
        Assert.True(tracker.Contains(0, At(300, 100), 0.9f));
    }

    [Fact]
    public void Update_InsideForThreeFrames_EntersDatedFromTheFirst()
    {
        var tracker = Porch();
        var membership = tracker.Start(At(50, 300), 0.9f, TimeSpan.Zero);

        var changes = new[]
        {
            tracker.Update(membership, At(150, 300), 0.9f, TimeSpan.FromSeconds(1)),
            tracker.Update(membership, At(160, 300), 0.9f, TimeSpan.FromSeconds(1.1)),
            tracker.Update(membership, At(170, 300), 0.9f, TimeSpan.FromSeconds(1.2)),
        };

        Assert.Equal([ZoneChange.None, ZoneChange.None, ZoneChange.Entered], changes);
        Assert.Equal(TimeSpan.FromSeconds(2), membership.DwellAt(0, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Update_JitterAcrossTheEdgeEveryOtherFrame_NeverChanges()
    {
        var tracker = Porch();
        var membership = tracker.Start(At(95, 300), 0.9f, TimeSpan.Zero);

        for (var i = 1; i <= 40; i++)
        {
            Assert.Equal(ZoneChange.None, tracker.Update(membership, At(i % 2 == 0 ? 95 : 105, 300), 0.9f, SyntheticScene.TimeOf(i)));
        }

        Assert.False(membership.HasEntered(0));
    }

    [Fact]
    public void Update_TwoFramesInsideThenOut_DoesNotEnter()
    {
        var tracker = Porch();
        var membership = tracker.Start(At(50, 300), 0.9f, TimeSpan.Zero);

        tracker.Update(membership, At(150, 300), 0.9f, SyntheticScene.TimeOf(1));
        tracker.Update(membership, At(150, 300), 0.9f, SyntheticScene.TimeOf(2));
        var third = tracker.Update(membership, At(50, 300), 0.9f, SyntheticScene.TimeOf(3));
        var fourth = tracker.Update(membership, At(150, 300), 0.9f, SyntheticScene.TimeOf(4));

        Assert.Equal(ZoneChange.None, third);
        Assert.Equal(ZoneChange.None, fourth);
        Assert.False(membership.IsInside(0));
    }

    [Fact]
    public void Update_LeavesForThreeFrames_LeavesAndKeepsTheDwell()
    {
        var tracker = Porch();
        var membership = tracker.Start(At(300, 300), 0.9f, TimeSpan.FromSeconds(10));

        tracker.Update(membership, At(600, 300), 0.9f, TimeSpan.FromSeconds(14));
        tracker.Update(membership, At(600, 300), 0.9f, TimeSpan.FromSeconds(14.1));
        var left = tracker.Update(membership, At(600, 300), 0.9f, TimeSpan.FromSeconds(14.2));

        Assert.Equal(ZoneChange.Left, left);
        Assert.False(membership.IsInside(0));
        Assert.True(membership.HasEntered(0));
        Assert.Equal(TimeSpan.FromSeconds(4), membership.DwellAt(0, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Contains_MinAreaAsFractionOfTheFrame_RejectsSmallBoxes()
    {
        // 1 % of 1920×1080 is 20736 px²; a 100 px tall box is 50×100 = 5000 px², a 300 px one 150×300 = 45000 px².
        var tracker = Porch(minArea: 0.01f);

        Assert.False(tracker.Contains(0, SyntheticScene.Object(1, 300, 300, height: 100), 0.9f));
        Assert.True(tracker.Contains(0, SyntheticScene.Object(1, 300, 300, height: 300), 0.9f));
    }

    [Fact]
    public void Contains_NormalizedZone_FollowsTheFrameSize()
    {
        var tracker = new ZoneTracker([new ZoneOptions { Name = "left-half", Points = [[0, 0], [0.5f, 0], [0.5f, 1], [0, 1]] }]);

        tracker.SetFrameSize(1000, 1000);
        var atHd = tracker.Contains(0, At(700, 500), 0.9f);
        tracker.SetFrameSize(2000, 1000);
        var atWide = tracker.Contains(0, At(700, 500), 0.9f);

        Assert.False(atHd);
        Assert.True(atWide);
    }
}
