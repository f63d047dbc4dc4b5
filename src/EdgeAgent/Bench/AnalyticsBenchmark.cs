using System.Diagnostics;
using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Bench;

/// <summary>What the analytics stage cost per frame.</summary>
internal sealed record AnalyticsResult(int Objects, int Frames, double MillisecondsPerFrame, double AllocatedBytesPerFrame, int Events);

/// <summary>
/// Tracking + colours + zones + lines + events + captions for one camera with a set number of people walking
/// through a 1280×720 scene that has one zone and one line: the per-frame cost of everything after detection.
/// </summary>
internal static class AnalyticsBenchmark
{
    public static AnalyticsResult Run(int objects, int frames)
    {
        const int width = 1280;
        const int height = 720;
        var options = new CameraAnalyticsOptions
        {
            Zones = [new ZoneOptions { Name = "path", Points = [[0.1f, 0.3f], [0.9f, 0.3f], [0.9f, 0.95f], [0.1f, 0.95f]] }],
            Lines = [new LineOptions { Name = "gate", A = [0.5f, 0.2f], B = [0.5f, 1f] }],
        };
        var analytics = new CameraAnalytics("bench", options);
        var transform = LetterboxTransform.For(width, height, 416, 416);

        // The letterbox-size image the detector saw, with texture so colour naming does real work.
        using var image = new Mat(transform.ScaledHeight, transform.ScaledWidth, MatType.CV_8UC3);
        Cv2.Randu(image, Scalar.All(0), Scalar.All(255));

        var detections = new Detection[objects];
        var events = 0;
        long allocated = 0;
        var clock = new Stopwatch();
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < objects; i++)
            {
                // People 60 × 150 px on 20 lanes, walking right or left at 40–120 px/s, wrapping around.
                var speed = 40 + (4 * i);
                var direction = i % 2 == 0 ? 1 : -1;
                var x = ((100 + (i * 53) + (direction * speed * f / 10.0)) % (width - 60) + (width - 60)) % (width - 60);
                var y = 200 + ((i * 23) % 450);
                detections[i] = new Detection(0, "person", 0.6f + (0.01f * (i % 30)), (float)x, y, (float)x + 60, y + 150);
            }

            var batch = (Detection[])detections.Clone();
            var before = GC.GetAllocatedBytesForCurrentThread();
            clock.Start();
            var result = analytics.Process(f, DateTimeOffset.UnixEpoch.AddSeconds(f / 10.0), TimeSpan.FromSeconds(f / 10.0), width, height, batch, image, transform);
            clock.Stop();
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            events += result.Events.Count;
        }

        return new AnalyticsResult(objects, frames, clock.Elapsed.TotalMilliseconds / frames, (double)allocated / frames, events);
    }
}
