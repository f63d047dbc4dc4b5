using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.Tests.Analytics;

/// <summary>A camera in detect-only mode: no tracks, events or snapshots, but zone and in-view counts still kept.</summary>
public sealed class CameraAnalyticsDetectOnlyTests
{
    private static readonly LetterboxTransform Transform = LetterboxTransform.For(1000, 1000, 416, 416);

    [Fact]
    public void Process_DetectOnly_CountsDetectionsPerZoneWithoutTracksOrEvents()
    {
        var analytics = new CameraAnalytics("yard", new CameraAnalyticsOptions
        {
            Mode = CameraAnalyticsOptions.DetectOnlyMode,
            Zones = [new ZoneOptions { Name = "porch", Points = [[0f, 0f], [500f, 0f], [500f, 500f], [0f, 500f]], Normalized = false }],
            ZoneEnterFrames = 1,
            ZoneLeaveFrames = 1,
        });
        using var image = new Mat(416, 416, MatType.CV_8UC3, Scalar.All(128));
        Detection[] twoPeopleAndACar =
        [
            new(0, "person", 0.9f, 100, 100, 150, 300),
            new(0, "person", 0.8f, 700, 600, 750, 800),
            new(2, "car", 0.7f, 600, 100, 900, 300),
        ];

        var first = analytics.Process(1, DateTimeOffset.UnixEpoch, TimeSpan.Zero, 1000, 1000, twoPeopleAndACar, image, Transform);
        var same = analytics.Process(2, DateTimeOffset.UnixEpoch.AddSeconds(0.1), TimeSpan.FromSeconds(0.1), 1000, 1000, twoPeopleAndACar, image, Transform);
        var empty = analytics.Process(3, DateTimeOffset.UnixEpoch.AddSeconds(0.2), TimeSpan.FromSeconds(0.2), 1000, 1000, [], image, Transform);

        Assert.Empty(first.Events);
        Assert.Empty(first.Snapshots);
        Assert.Equal([0, 0, 0], first.TrackIds);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "all", "person", null, 2), first.Counts);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "all", "car", null, 1), first.Counts);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "porch", "person", null, 1), first.Counts);
        Assert.DoesNotContain(first.Counts, c => c.Area == "porch" && c.Label == "car");

        // Counts are published on change only; the same scene again changes nothing, an empty one zeroes them.
        Assert.Empty(same.Counts);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "all", "person", null, 0), empty.Counts);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "porch", "person", null, 0), empty.Counts);
    }
}
