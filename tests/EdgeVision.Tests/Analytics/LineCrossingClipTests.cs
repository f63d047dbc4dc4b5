using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.Analytics;

/// <summary>
/// The bundled clip (the first 400 frames of vtest.avi) through the agent's default detector and the analytics,
/// with a counting line across the left part of the path, against crossings counted by eye.
/// </summary>
public sealed class LineCrossingClipTests
{
    // Counted frame by frame (tests/fixtures/tracking/README.md, "Line crossings"): walking left across
    // x = 175, which is "in" for this line, the person in the pale blue hooded jacket (about frame 187), the man
    // in the striped jumper (about 207) and the man in the grey jacket (about 257); walking right, "out", the
    // man in the grey jacket coming back (about 296).
    private const int HandCountIn = 3;
    private const int HandCountOut = 1;

    [Fact]
    public void Process_SampleClipWithLineAcrossPath_CountsEqualHandCount()
    {
        var options = new CameraAnalyticsOptions
        {
            Lines = [new LineOptions { Name = "path-west", A = [175f, 140f], B = [175f, 340f], Normalized = false }],
        };
        var analytics = new CameraAnalytics("sample", options);
        using var detector = OnnxDetector.Create(
            ModelCatalog.Default.Load("nanodet-g-416-int8"),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.4f, MaxBatchSize = 1 });
        using var capture = new VideoCapture(Path.Combine(RepositoryPaths.Root, "samples", "vtest-clip.mp4"));
        Assert.True(capture.IsOpened(), "samples/vtest-clip.mp4 did not open");
        using var image = new Mat();
        using var scaled = new Mat();
        var crossings = new List<(int Frame, int TrackId, CrossingDirection Direction)>();
        var lastCounts = new Dictionary<CrossingDirection, int>();
        var frames = 0;
        for (var index = 0; capture.Read(image) && !image.Empty(); index++)
        {
            frames++;
            var transform = LetterboxTransform.For(image.Width, image.Height, 416, 416);
            Cv2.Resize(image, scaled, new Size(transform.ScaledWidth, transform.ScaledHeight));
            var at = TimeSpan.FromSeconds(index / 10.0);
            var result = analytics.Process(index, DateTimeOffset.UnixEpoch + at, at, image.Width, image.Height, detector.Detect(image), scaled, transform);
            foreach (var e in result.Events)
            {
                foreach (var crossing in e.LineCrossings.Where(c => c.At == DateTimeOffset.UnixEpoch + at))
                {
                    crossings.Add((index, e.TrackId, crossing.Direction));
                }
            }

            foreach (var count in result.Counts.Where(c => c.Kind == CountKind.Crossings && c.Label == "person" && c.Area == "path-west"))
            {
                lastCounts[count.Direction!.Value] = count.Value;
            }
        }

        Assert.Equal(400, frames);
        var report = string.Join("; ", crossings.Select(c => $"frame {c.Frame} track {c.TrackId} {c.Direction}"));
        Assert.True(crossings.Count(c => c.Direction == CrossingDirection.In) == HandCountIn, $"expected {HandCountIn} in: {report}");
        Assert.True(crossings.Count(c => c.Direction == CrossingDirection.Out) == HandCountOut, $"expected {HandCountOut} out: {report}");

        // The retained counts a dashboard reads say the same.
        Assert.Equal(HandCountIn, lastCounts.GetValueOrDefault(CrossingDirection.In));
        Assert.Equal(HandCountOut, lastCounts.GetValueOrDefault(CrossingDirection.Out));
    }
}
