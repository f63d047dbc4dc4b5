using System.Diagnostics;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using OpenCvSharp;

namespace EdgeVision.Tests.Motion;

public sealed class DetectionGateTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Decide_StillSceneSettledObjects_DetectsAtStartThenOncePerKeepAlive()
    {
        var gate = new DetectionGate(new MotionOptions(), 416, 416);
        using var scene = MotionDetectorTests.Scene();
        var settled = View(stationary: true, detected: true);
        var regions = new List<Rect>();

        var detectedAt = new List<(double Seconds, DetectReason Reason)>();
        for (var i = 0; i < 350; i++)
        {
            if (gate.Decide(scene, Step * i, 0, settled, regions) != GateDecision.Skip)
            {
                detectedAt.Add(((Step * i).TotalSeconds, gate.LastReason));
            }
        }

        Assert.Equal([(0.0, DetectReason.Started), (10.0, DetectReason.KeepAlive), (20.0, DetectReason.KeepAlive), (30.0, DetectReason.KeepAlive)], detectedAt.Select(d => (Math.Round(d.Seconds, 3), d.Reason)));
    }

    [Fact]
    public void Decide_StillSceneButObjectStillMoving_DetectsEveryFrame()
    {
        var gate = new DetectionGate(new MotionOptions(), 416, 416);
        using var scene = MotionDetectorTests.Scene();
        var regions = new List<Rect>();

        gate.Decide(scene, TimeSpan.Zero, 0, null, regions);
        for (var i = 1; i < 20; i++)
        {
            Assert.Equal(GateDecision.Whole, gate.Decide(scene, Step * i, 0, View(stationary: false, detected: true), regions));
            Assert.Equal(DetectReason.Activity, gate.LastReason);
        }
    }

    [Fact]
    public void Decide_StillSceneObjectMissed_DetectsUntilFoundOrEnded()
    {
        var gate = new DetectionGate(new MotionOptions(), 416, 416);
        using var scene = MotionDetectorTests.Scene();
        var regions = new List<Rect>();
        gate.Decide(scene, TimeSpan.Zero, 0, null, regions);

        Assert.Equal(GateDecision.Whole, gate.Decide(scene, Step, 0, View(stationary: true, detected: false), regions));
        Assert.Equal(GateDecision.Skip, gate.Decide(scene, Step * 2, 0, View(stationary: true, detected: false, unseen: true), regions));
    }

    [Fact]
    public void Decide_MotionOff_EveryFrameWhole()
    {
        var gate = new DetectionGate(new MotionOptions { Enabled = false }, 416, 416);
        using var scene = MotionDetectorTests.Scene(width: 2304, height: 1728);
        var regions = new List<Rect>();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(GateDecision.Whole, gate.Decide(scene, Step * i, 0, View(stationary: true, detected: true), regions));
            Assert.Empty(regions);
        }
    }

    [Fact]
    public void Decide_HdFrame_SweepAtStartThenRegionAroundTheMotion()
    {
        var gate = new DetectionGate(new MotionOptions(), 416, 416);
        using var before = MotionDetectorTests.Scene(box: new Rect(1500, 1000, 60, 150), width: 2304, height: 1728);
        using var after = MotionDetectorTests.Scene(box: new Rect(1530, 1000, 60, 150), width: 2304, height: 1728);
        var regions = new List<Rect>();

        Assert.Equal(GateDecision.Regions, gate.Decide(before, TimeSpan.Zero, 0, null, regions));
        Assert.Equal(new RegionPlanner(416, 416, 0.5f).SweepCount(2304, 1728), regions.Count);

        Assert.Equal(GateDecision.Regions, gate.Decide(after, Step, 0, View(stationary: true, detected: true), regions));
        var region = Assert.Single(regions);
        Assert.True(region.Contains(new Rect(1500, 1000, 90, 150)), $"{region} misses the motion");
        Assert.True(region.Width <= 832);
    }

    [Fact]
    public void Decide_HdFrameMovingObjectNoMotion_RegionAtItsPredictedBox()
    {
        var gate = new DetectionGate(new MotionOptions(), 416, 416);
        using var scene = MotionDetectorTests.Scene(width: 2304, height: 1728);
        var regions = new List<Rect>();
        gate.Decide(scene, TimeSpan.Zero, 0, null, regions);

        // Seen half a second ago at x 100–140 walking right at 100 px/s: expected about x 150–190 now.
        var seenAt = Stopwatch.GetTimestamp() - (Stopwatch.Frequency / 2);
        var walker = new TrackSnapshot(1, 0, "person", 0.8f, new BoxF(100, 500, 140, 600), 100, 0, IsStationary: false, Detected: true);

        Assert.Equal(GateDecision.Regions, gate.Decide(scene, Step, Stopwatch.GetTimestamp(), ActivityView.Of(seenAt, [walker]), regions));
        var region = Assert.Single(regions);
        Assert.True(region.Contains(new Rect(150, 500, 40, 100)), $"{region} misses the predicted box");
    }

    private static ActivityView View(bool stationary, bool detected, bool unseen = false) =>
        ActivityView.Of(0, [new TrackSnapshot(1, 2, "car", 0.9f, new BoxF(100, 100, 200, 160), 0, 0, stationary, detected) { Unseen = unseen }]);
}
