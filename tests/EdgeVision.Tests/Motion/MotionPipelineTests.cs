using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Pipeline;
using EdgeVision.Tests.Support;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EdgeVision.Tests.Motion;

/// <summary>Motion gating and regions through the real pipeline, on real video (made with ffmpeg from vtest.avi).</summary>
[Collection(PipelineCollection.Name)]
public sealed class MotionPipelineTests : IDisposable
{
    private readonly OnnxDetector _detector;
    private readonly ITestOutputHelper _output;
    private readonly TemporaryDirectory _directory = new();

    public MotionPipelineTests(DetectorFixture fixture, ITestOutputHelper output)
    {
        _detector = fixture.Detector;
        _output = output;
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunAsync_StillSceneOneMinute_DetectorAtMostOncePerTenSecondsAfterTheFirstTenAndIdsKept()
    {
        // Frame 450: people standing about and the parked vehicles; nothing moves for 60 s at 10 fps.
        var still = H264Videos.Still(_directory.Path, frame: 450, seconds: 60);
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();

        await pipeline.RunAsync([new CameraOptions { Name = "still", Source = still, Paced = false }], sink, CancellationToken.None);

        var frames = sink.Frames;
        var camera = Assert.Single(pipeline.Snapshot().Cameras);
        var afterTen = frames.Where(f => f.Sequence >= 100).ToArray();
        _output.WriteLine($"captured {camera.Captured}, detected {camera.Detected}, motion-skipped {camera.MotionSkipped}; detected at frames {string.Join(", ", frames.Select(f => f.Sequence))}");
        Assert.Equal(600, camera.Captured);
        Assert.True(afterTen.Length <= 5, $"the detector ran {afterTen.Length} times in the 50 s after the first 10 (at most 5 allowed)");
        Assert.Equal(camera.Captured - camera.Detected, camera.MotionSkipped);

        var events = frames.SelectMany(f => f.Analytics!.Events).ToArray();
        Assert.DoesNotContain(events, e => e.Type == TrackEventType.End);
        var idsAtTen = afterTen[0].Analytics!.Tracks.Select(t => t.TrackId).Order().ToArray();
        var idsAtEnd = frames[^1].Analytics!.Tracks.Select(t => t.TrackId).Order().ToArray();
        Assert.True(idsAtTen.Length >= 3, $"expected the standing people and vehicles to be followed, found {idsAtTen.Length}");
        Assert.Equal(idsAtTen, idsAtEnd);
        Assert.Contains(frames[^1].Analytics!.Tracks, t => t.Label == "car");
        Assert.All(frames[^1].Analytics!.Tracks, t => Assert.True(t.IsStationary, $"track {t.TrackId} ({t.Label}) is not stationary"));
    }

    [Theory]
    [InlineData("black")]
    [InlineData("noise")]
    public async Task RunAsync_BlackOrNoiseCamera_DetectorBoundedByTheKeepAlive(string kind)
    {
        var clip = H264Videos.Generated(_directory.Path, kind, seconds: 30);
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();

        await pipeline.RunAsync([new CameraOptions { Name = kind, Source = clip, Paced = false }], sink, CancellationToken.None);

        var camera = Assert.Single(pipeline.Snapshot().Cameras);
        _output.WriteLine($"{kind}: captured {camera.Captured}, detected {camera.Detected} at frames {string.Join(", ", sink.Frames.Select(f => f.Sequence))}");
        Assert.Equal(300, camera.Captured);
        Assert.Equal(0, camera.Failed);

        // The first frame, then one look per 10 s keep-alive: 0, 10 and 20 s.
        Assert.Equal([0L, 100L, 200L], sink.Frames.Select(f => f.Sequence));
    }

    [Fact]
    public async Task RunAsync_SampleClipWithMotionGating_LineCountsEqualHandCount()
    {
        // The line and the hand count of LineCrossingClipTests (tests/fixtures/tracking/README.md), now through the
        // pipeline with motion gating on, as the agent runs by default.
        using var int8 = OnnxDetector.Create(
            ModelCatalog.Default.Load("nanodet-g-416-int8"),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.4f, MaxBatchSize = 1 });
        using var pipeline = DetectionPipeline.Create(int8, new PipelineOptions { MaxBatchSize = 1 });
        var sink = new CollectingSink();
        var camera = new CameraOptions
        {
            Name = "sample",
            Source = Path.Combine(RepositoryPaths.Root, "samples", "vtest-clip.mp4"),
            Paced = false,
            Analytics = new CameraAnalyticsOptions
            {
                Lines = [new LineOptions { Name = "path-west", A = [175f, 140f], B = [175f, 340f], Normalized = false }],
            },
        };

        await pipeline.RunAsync([camera], sink, CancellationToken.None);

        var crossings = sink.Frames
            .SelectMany(f => f.Analytics!.Counts)
            .Where(c => c.Kind == CountKind.Crossings && c.Label == "person" && c.Area == "path-west")
            .GroupBy(c => c.Direction!.Value)
            .ToDictionary(g => g.Key, g => g.Last().Value);
        var snapshot = Assert.Single(pipeline.Snapshot().Cameras);
        _output.WriteLine($"captured {snapshot.Captured}, detected {snapshot.Detected}, motion-skipped {snapshot.MotionSkipped}");
        Assert.Equal(400, snapshot.Captured);
        Assert.Equal(3, crossings.GetValueOrDefault(CrossingDirection.In));
        Assert.Equal(1, crossings.GetValueOrDefault(CrossingDirection.Out));
    }

    [Theory]
    [InlineData(2, "nanodet-g-416")]
    [InlineData(3, "nanodet-g-416")]
    [InlineData(3, "nanodet-g-416-int8")]
    public async Task RunAsync_MosaicCamera_RegionsFindNinetyPercentOfWhatTheTilesShow(int tiles, string model)
    {
        // Tiles play vtest from frame 400 on (frames 0–396 calibrated the INT8 model), each 40 frames apart.
        const int Frames = 60;
        var mosaic = H264Videos.Mosaic(_directory.Path, tiles, firstFrame: 400, frameStep: 40, frames: Frames);
        using var own = model == _detector.Model.Manifest.Name ? null : OnnxDetector.Create(
            ModelCatalog.Default.Load(model), new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], MaxBatchSize = 4 });
        var detector = own ?? _detector;
        using var pipeline = DetectionPipeline.Create(detector);
        var sink = new CollectingSink();

        await pipeline.RunAsync([new CameraOptions { Name = "wide", Source = mosaic, Paced = false, DetectFps = 5 }], sink, CancellationToken.None);

        var published = sink.Frames.ToDictionary(f => f.Sequence);
        int reference = 0, foundByRegions = 0, foundWhole = 0;
        using var capture = new VideoCapture(mosaic);
        using var frame = new Mat();
        for (var index = 0; capture.Read(frame) && !frame.Empty(); index++)
        {
            if (!published.TryGetValue(index, out var result))
            {
                continue;
            }

            var truth = PersonsOnTiles(detector, frame, tiles);
            reference += truth.Count;
            foundByRegions += Matched(truth, result.Detections);
            foundWhole += Matched(truth, detector.Detect(frame));
        }

        var camera = Assert.Single(pipeline.Snapshot().Cameras);
        var regionRecall = (double)foundByRegions / reference;
        var wholeRecall = (double)foundWhole / reference;
        _output.WriteLine($"{model}, {tiles}×{tiles}: {published.Count} frames detected, {camera.Regions} regions; {reference} persons on the tiles; regions found {foundByRegions} ({regionRecall:F3}), whole frame {foundWhole} ({wholeRecall:F3})");
        Assert.True(published.Count >= (Frames / 2) - 1, $"only {published.Count} frames were detected");
        Assert.True(reference >= 10 * published.Count, $"only {reference} persons on the tiles");
        Assert.True(regionRecall >= 0.90, $"regions found {regionRecall:F3} of the persons the tiles show (whole frame: {wholeRecall:F3})");
        Assert.True(camera.Regions > published.Count, "frames were not detected in regions");
    }

    /// <summary>Persons (score ≥ 0.5) the model finds on each tile alone, in mosaic pixels.</summary>
    private static List<Detection> PersonsOnTiles(OnnxDetector detector, Mat mosaic, int tiles)
    {
        var persons = new List<Detection>();
        for (var row = 0; row < tiles; row++)
        {
            for (var column = 0; column < tiles; column++)
            {
                using var tile = new Mat(mosaic, new Rect(column * 768, row * 576, 768, 576));
                foreach (var d in detector.Detect(tile))
                {
                    if (d.Label == "person" && d.Score >= 0.5f)
                    {
                        persons.Add(d with { X1 = d.X1 + (column * 768), X2 = d.X2 + (column * 768), Y1 = d.Y1 + (row * 576), Y2 = d.Y2 + (row * 576) });
                    }
                }
            }
        }

        return persons;
    }

    /// <summary>How many of <paramref name="truth"/> a person box of <paramref name="found"/> matches with IoU ≥ 0.5, each used once.</summary>
    private static int Matched(List<Detection> truth, Detection[] found)
    {
        var used = new bool[found.Length];
        var matched = 0;
        foreach (var t in truth.OrderByDescending(t => t.Score))
        {
            var best = -1;
            var bestIou = 0.5f;
            for (var i = 0; i < found.Length; i++)
            {
                if (!used[i] && found[i].Label == "person" && NonMaxSuppression.IntersectionOverUnion(t, found[i]) is var iou && iou >= bestIou)
                {
                    best = i;
                    bestIou = iou;
                }
            }

            if (best >= 0)
            {
                used[best] = true;
                matched++;
            }
        }

        return matched;
    }
}
