using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.Analytics;

/// <summary>
/// Every caption made while the real detector and analytics watch vtest.avi, read back and checked against the
/// facts of the event it belongs to: no label, number, colour, zone, line or direction the event lacks.
/// </summary>
public sealed class ClipCaptionTests
{
    [Fact]
    public void Process_VtestWithZoneAndLine_EveryCaptionNamesOnlyTheFactsOfItsEvent()
    {
        var options = new CameraAnalyticsOptions
        {
            Zones = [new ZoneOptions { Name = "path", Points = [[0.2f, 0.45f], [0.8f, 0.45f], [0.8f, 0.9f], [0.2f, 0.9f]] }],
            Lines = [new LineOptions { Name = "gate", A = [0.5f, 0.3f], B = [0.5f, 1f] }],
        };
        var analytics = new CameraAnalytics("vtest", options);
        using var detector = OnnxDetector.Create(
            ModelCatalog.Default.Load("nanodet-g-416-int8"),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.3f, MaxBatchSize = 1 });
        using var capture = new VideoCapture(RepositoryPaths.VtestVideo);
        using var image = new Mat();
        using var scaled = new Mat();
        var captioned = new List<TrackEvent>();
        var kinds = new HashSet<string>(StringComparer.Ordinal);

        // Every second frame of the first 40 s, as a 5 fps detect rate would give.
        for (var index = 0; index < 400 && capture.Read(image) && !image.Empty(); index++)
        {
            if (index % 2 != 0)
            {
                continue;
            }

            var transform = LetterboxTransform.For(image.Width, image.Height, 416, 416);
            Cv2.Resize(image, scaled, new Size(transform.ScaledWidth, transform.ScaledHeight));
            var at = TimeSpan.FromSeconds(index / 10.0);
            var result = analytics.Process(index, DateTimeOffset.UnixEpoch + at, at, image.Width, image.Height, detector.Detect(image), scaled, transform);
            foreach (var e in result.Events.Where(e => e.Caption is not null))
            {
                captioned.Add(e);
                kinds.Add(CameraAnalytics.CaptionFor(e)!.Kind.ToString());
            }
        }

        var problems = new List<string>();
        foreach (var e in captioned)
        {
            var facts = CameraAnalytics.CaptionFor(e)!;
            problems.AddRange(CaptionFactsChecker.Check(e.Caption!, facts).Select(p => $"seq {e.Seq} '{e.Caption}': {p}"));

            // The facts themselves come from the event: its label, and its zone or line where the caption names one.
            Assert.Equal(e.Label, facts.Label);
            if (facts.Zone is { } zone)
            {
                Assert.Contains(zone, e.EnteredZones);
            }

            if (facts.Line is { } line)
            {
                Assert.Contains(e.LineCrossings, c => c.Line == line);
            }
        }

        Assert.Empty(problems);
        Assert.True(captioned.Count >= 20, $"only {captioned.Count} captions");
        Assert.Contains(nameof(CaptionEventKind.Appeared), kinds);
        Assert.Contains(nameof(CaptionEventKind.EnteredZone), kinds);
        Assert.Contains(nameof(CaptionEventKind.CrossedLine), kinds);
    }
}
