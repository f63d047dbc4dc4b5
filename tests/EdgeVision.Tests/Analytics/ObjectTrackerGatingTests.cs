using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

/// <summary>The tracker told apart from frames the detector did not look at: held through gated time, unseen outside regions.</summary>
public sealed class ObjectTrackerGatingTests
{
    private const string Camera = "yard";

    private static readonly Detection Car = new(2, "car", 0.9f, 400, 300, 560, 400);

    [Fact]
    public void Hold_TenSecondsUnlooked_MissOnTheNextLookDoesNotEndTheTrack()
    {
        var tracker = new ObjectTracker(new TrackerOptions());
        var id = StillFor(tracker, seconds: 3);

        tracker.Hold(TimeSpan.FromSeconds(13));
        var missed = Update(tracker, 13.1);

        Assert.Empty(missed.EndedTrackIds);
        var track = Assert.Single(missed.Tracks);
        Assert.Equal(id, track.TrackId);
        Assert.False(track.Detected);

        var back = Update(tracker, 13.2, Car);
        Assert.Equal(id, Assert.Single(back.Tracks).TrackId);
        Assert.True(Assert.Single(back.Tracks).IsStationary);
    }

    [Fact]
    public void Update_TenSecondsUnlookedWithoutHold_MissEndsTheTrack()
    {
        // The same gap not declared as held: the tracker takes the object as unseen for ten seconds, past its buffer.
        var tracker = new ObjectTracker(new TrackerOptions());
        var id = StillFor(tracker, seconds: 3);

        var missed = Update(tracker, 13.1);

        Assert.Equal([id], missed.EndedTrackIds);
    }

    [Fact]
    public void Hold_StationaryObjectAfterHold_StaysStationaryWhereItWas()
    {
        var tracker = new ObjectTracker(new TrackerOptions());
        StillFor(tracker, seconds: 3);

        tracker.Hold(TimeSpan.FromSeconds(60));
        var frame = Update(tracker, 60.1, Car);

        var track = Assert.Single(frame.Tracks);
        Assert.True(track.IsStationary);
        Assert.Equal(Car.X1, track.Box.X1, 0.5f);
    }

    [Fact]
    public void Update_RegionsElsewhere_TrackUnseenNotLostFor5Seconds()
    {
        var tracker = new ObjectTracker(new TrackerOptions());
        var id = StillFor(tracker, seconds: 3);
        BoxF[] elsewhere = [new BoxF(900, 0, 1316, 416)];

        TrackingFrame frame = null!;
        var ended = new List<int>();
        for (var t = 3.1; t < 8; t += 0.1)
        {
            frame = tracker.Update(Camera, 0, DateTimeOffset.UnixEpoch.AddSeconds(t), TimeSpan.FromSeconds(t), 1920, 1080, [], default, elsewhere);
            ended.AddRange(frame.EndedTrackIds);
        }

        Assert.Empty(ended);
        var track = Assert.Single(frame.Tracks);
        Assert.Equal(id, track.TrackId);
        Assert.True(track.Unseen);
        Assert.False(track.Detected);
    }

    [Fact]
    public void Update_RegionOverTheTrackWithoutItsDetection_TrackLostAndEnds()
    {
        var tracker = new ObjectTracker(new TrackerOptions());
        var id = StillFor(tracker, seconds: 3);
        BoxF[] overIt = [new BoxF(300, 200, 716, 616)];

        var ended = new List<int>();
        for (var t = 3.1; t < 6; t += 0.1)
        {
            var frame = tracker.Update(Camera, 0, DateTimeOffset.UnixEpoch.AddSeconds(t), TimeSpan.FromSeconds(t), 1920, 1080, [], default, overIt);
            ended.AddRange(frame.EndedTrackIds);
        }

        Assert.Equal([id], ended);
    }

    /// <summary>The car detected in place at 10 fps for <paramref name="seconds"/>; returns its id (then stationary).</summary>
    private static int StillFor(ObjectTracker tracker, double seconds)
    {
        TrackingFrame frame = null!;
        for (var t = 0.0; t <= seconds + 1e-9; t += 0.1)
        {
            frame = Update(tracker, t, Car);
        }

        var track = Assert.Single(frame.Tracks);
        Assert.True(track.IsStationary, "the car should be stationary before the gap");
        return track.TrackId;
    }

    private static TrackingFrame Update(ObjectTracker tracker, double seconds, params Detection[] detections) =>
        tracker.Update(Camera, 0, DateTimeOffset.UnixEpoch.AddSeconds(seconds), TimeSpan.FromSeconds(seconds), 1920, 1080, detections);
}
