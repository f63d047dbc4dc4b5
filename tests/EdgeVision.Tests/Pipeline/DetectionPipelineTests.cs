using EdgeVision.EdgeAgent.Bench;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class DetectionPipelineTests : IDisposable
{
    private readonly OnnxDetector _detector;
    private readonly TemporaryDirectory _directory = new();

    public DetectionPipelineTests(DetectorFixture fixture)
    {
        _detector = fixture.Detector;
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunAsync_VtestUnpacedAtTwoFps_PublishesEveryFifthFrameInOrderWithPersons()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();

        await pipeline.RunAsync([Vtest("hall", detectFps: 2)], sink, CancellationToken.None);

        var frames = sink.Frames;
        Assert.Equal(Enumerable.Range(0, 159).Select(i => 5L * i), frames.Select(f => f.Sequence));
        Assert.All(frames, f => Assert.Contains(f.Detections, d => d.Label == "person"));
        Assert.All(frames, f => Assert.Equal(("hall", 768, 576, "nanodet-g-416"), (f.Camera, f.Width, f.Height, f.Model)));
        var camera = Assert.Single(pipeline.Snapshot().Cameras);
        Assert.Equal((795L, 636L, 0L, 159L, 0L), (camera.Captured, camera.Skipped, camera.Dropped, camera.Processed, camera.Failed));
    }

    [Fact]
    public async Task RunAsync_BatchesOfOne_DetectionsEqualTheDetectorOnTheSameFrames()
    {
        using var pipeline = DetectionPipeline.Create(_detector, new PipelineOptions { MaxBatchSize = 1 });
        var sink = new CollectingSink();

        await pipeline.RunAsync([Vtest("hall", detectFps: 0.5)], sink, CancellationToken.None);

        foreach (var index in (int[])[0, 160, 640])
        {
            using var image = VideoFrames.Vtest(index);
            var expected = _detector.Detect(image);
            Assert.Equal(expected, sink.Frames.Single(f => f.Sequence == index).Detections);
        }
    }

    [Fact]
    public async Task RunAsync_FourCamerasOneSession_EveryCameraArrivesInOrderAndBatchesHoldSeveralFrames()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();
        string[] names = ["north", "south", "east", "west"];

        await pipeline.RunAsync(names.Select(n => Vtest(n, detectFps: 1)).ToArray(), sink, CancellationToken.None);

        foreach (var name in names)
        {
            Assert.Equal(Enumerable.Range(0, 80).Select(i => 10L * i), sink.Of(name).Select(f => f.Sequence));
        }

        var snapshot = pipeline.Snapshot();
        Assert.Contains(snapshot.BatchSizes.Keys, size => size > 1);
        Assert.Equal(320, snapshot.BatchSizes.Sum(b => b.Key * b.Value));
        Assert.Contains(sink.Frames, f => f.BatchSize > 1);
        Assert.Equal(0, snapshot.FrameBuffersInUse);
    }

    [Fact]
    public async Task RunAsync_InferenceSlowedByDelayDecorator_DropsOldestCountsExactlyAndStaysBounded()
    {
        var options = new PipelineOptions();
        var video = TestVideos.Fast(_directory.Path, frames: 150, fps: 50);
        var slow = new DelayedBatchDetector(new OnnxBatchDetector(_detector), TimeSpan.FromMilliseconds(250));
        using var pipeline = new DetectionPipeline(slow, options);
        var sink = new CountingSink();
        var camera = new CameraOptions { Name = "yard", Source = video, Paced = true };
        var depths = new List<(string Queue, int Depth, int Capacity)>();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var running = pipeline.RunAsync([camera], sink, CancellationToken.None);
        var sampler = Task.Run(async () =>
        {
            while (!running.IsCompleted)
            {
                var snapshot = pipeline.Snapshot();
                depths.AddRange(snapshot.QueueDepths.Select(q => (q.Key, q.Value, snapshot.QueueCapacities[q.Key])));
                await Task.Delay(5);
            }
        });
        await running;
        await sampler;
        var after = GC.GetTotalMemory(forceFullCollection: true);

        var end = pipeline.Snapshot();
        var yard = Assert.Single(end.Cameras);
        Assert.Equal(150, yard.Captured);
        Assert.True(yard.Dropped > 0);
        Assert.Equal(yard.Captured, yard.Skipped + yard.Dropped + yard.Processed + yard.Failed);
        Assert.Equal(0, yard.Failed);
        Assert.Equal(yard.Processed, sink.Count);
        // Sampled every 5 ms through the run: every queue stayed within its bound, and the capture queue filled
        // (the slowed inference backed it up) without passing it.
        Assert.NotEmpty(depths);
        Assert.All(depths, d => Assert.InRange(d.Depth, 0, d.Capacity));
        Assert.Contains(depths, d => d.Queue == "capture/yard" && d.Depth == d.Capacity);

        // Letterbox size: the queue, the frame being written to it, a batch, the inferred queue and the frame in
        // analytics (which reads it). Capture: the queue, the frame being read and the one being scaled,
        // and, the camera tracking, the full frame each letterbox-size one carries for its snapshots.
        var letterboxed = options.PreprocessedQueueCapacity + 1 + options.MaxBatchSize + options.InferredQueueCapacity + 1;
        var bound = options.CaptureQueueCapacity + 2 + letterboxed + letterboxed;
        Assert.InRange(end.FrameBuffersCreated, 1, bound);
        Assert.Equal(0, end.FrameBuffersInUse);
        Assert.InRange(after - before, long.MinValue, 4L << 20);
    }

    [Fact]
    public async Task RunAsync_CancelledMidStream_PublishesEveryFrameThatWasCaptured()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();
        using var cancellation = new CancellationTokenSource();

        var running = pipeline.RunAsync([Vtest("hall", detectFps: null)], sink, cancellation.Token);
        await TestVideos.WaitUntilAsync(() => sink.Count >= 16, "16 published frames");
        await cancellation.CancelAsync();
        var publishedAtCancel = sink.Count;
        await running;

        var camera = Assert.Single(pipeline.Snapshot().Cameras);
        Assert.Equal((0L, 0L, 0L), (camera.Skipped, camera.Dropped, camera.Failed));
        Assert.Equal(camera.Captured, camera.Processed);
        Assert.Equal(Enumerable.Range(0, (int)camera.Captured).Select(i => (long)i), sink.Frames.Select(f => f.Sequence));
        Assert.True(sink.Count > publishedAtCancel, "frames in flight at cancellation were published afterwards");
        Assert.Equal(0, pipeline.Snapshot().FrameBuffersInUse);
    }

    [Fact]
    public async Task RunAsync_CorruptFile_SkipsLostFramesAndPublishesTheRest()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();
        var camera = new CameraOptions { Name = "hall", Source = TestVideos.Corrupt(_directory.Path), Paced = false, DetectFps = 1 };

        await pipeline.RunAsync([camera], sink, CancellationToken.None);

        var hall = Assert.Single(pipeline.Snapshot().Cameras);
        Assert.True(hall.CorruptFrames > 0);
        Assert.Equal(TestVideos.VtestFrames, hall.Captured + hall.CorruptFrames);
        Assert.Equal(hall.Captured, hall.Skipped + hall.Processed);
        Assert.Equal(hall.Processed, sink.Count);
        Assert.Equal(sink.Frames.Select(f => f.Sequence).Order(), sink.Frames.Select(f => f.Sequence));
    }

    [Fact]
    public async Task RunAsync_OneCameraUnreachable_RetriesItWhileTheOtherIsFullyProcessed()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();
        var door = TestCameras.Unreachable("door");
        using var cancellation = new CancellationTokenSource();

        var running = pipeline.RunAsync([door, Vtest("hall", detectFps: 2)], sink, cancellation.Token);
        await TestVideos.WaitUntilAsync(() => sink.Of("hall").Count == 159, "every hall frame");
        await TestVideos.WaitUntilAsync(() => pipeline.Snapshot().Cameras[0].Reconnects >= 3, "three reconnects of door");
        await cancellation.CancelAsync();
        await running;

        var cameras = pipeline.Snapshot().Cameras;
        Assert.Equal(("door", false, 0L), (cameras[0].Name, cameras[0].Connected, cameras[0].Captured));
        Assert.True(cameras[0].Reconnects >= 3);
        Assert.Equal(("hall", 159L, 0L), (cameras[1].Name, cameras[1].Processed, cameras[1].Failed));
        Assert.Equal(Enumerable.Range(0, 159).Select(i => 5L * i), sink.Of("hall").Select(f => f.Sequence));
        Assert.Empty(sink.Of("door"));
    }

    [Fact]
    public async Task Snapshot_AfterUnpacedRunWithCountingSink_ReportsEndToEndRateAndLatency()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CountingSink();
        pipeline.Snapshot();

        await pipeline.RunAsync([Vtest("bench", detectFps: 1)], sink, CancellationToken.None);
        var snapshot = pipeline.Snapshot();

        Assert.Equal(80, sink.Count);
        Assert.True(snapshot.ProcessedFps > 0);
        Assert.Equal(80, snapshot.EndToEndLatency!.Count);
        Assert.True(snapshot.EndToEndLatency.P50Ms <= snapshot.EndToEndLatency.P99Ms);
        Assert.Equal(
            ["motion", "preprocess", "tensor", "inference", "decode", "analytics", "publish", "capture-to-publish"],
            snapshot.Stages.Select(s => s.Stage));
        Assert.Equal(80, snapshot.Stages.Single(s => s.Stage == "motion").Count);
        Assert.Equal(80, snapshot.Stages.Single(s => s.Stage == "preprocess").Count);
        Assert.Equal(80, snapshot.Stages.Single(s => s.Stage == "decode").Count);
        Assert.Equal(80, snapshot.Stages.Single(s => s.Stage == "analytics").Count);
        Assert.Equal(80, snapshot.Stages.Single(s => s.Stage == "publish").Count);
        Assert.True(snapshot.DetectionsByLabel["person"] >= 80);
        Assert.Contains("bench", EdgeVision.EdgeAgent.Hosting.ConsoleSummary.Render(snapshot, [], 0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TrackingCamera_SnapshotsAreCutFromTheFullResolutionFrame()
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();

        await pipeline.RunAsync([Vtest("hall", detectFps: 2)], sink, CancellationToken.None);

        var checkedSnapshots = 0;
        foreach (var frame in sink.Frames)
        {
            foreach (var snapshot in frame.Analytics!.Snapshots)
            {
                var box = frame.Analytics.Events.Single(e => e.EventId == snapshot.EventId).Box;
                using var image = OpenCvSharp.Cv2.ImDecode(snapshot.Jpeg, OpenCvSharp.ImreadModes.Color);

                // A tenth of the box on each side, unless the frame's edge cuts it; from the 416-px letterbox frame
                // the crop would come out at 416/768 of that.
                var expectedWidth = Math.Min(box.X2 + (box.Width * 0.1f), 768) - Math.Max(box.X1 - (box.Width * 0.1f), 0);
                var expectedHeight = Math.Min(box.Y2 + (box.Height * 0.1f), 576) - Math.Max(box.Y1 - (box.Height * 0.1f), 0);
                Assert.InRange(image.Width, expectedWidth - 2, expectedWidth + 2);
                Assert.InRange(image.Height, expectedHeight - 2, expectedHeight + 2);
                checkedSnapshots++;
            }
        }

        Assert.True(checkedSnapshots >= 5, $"only {checkedSnapshots} snapshots");
        Assert.Equal(0, pipeline.Snapshot().FrameBuffersInUse);
    }

    [Theory]
    [InlineData(true, 50)]
    [InlineData(false, 0)]
    public async Task RunAsync_TwoPacedCameras_StaggeredReleaseHalfAFrameApart(bool stagger, double expectedOffsetMs)
    {
        // Two paced 10 fps cameras started together: staggered, camera 1's release points lie half an interval
        // (50 ms) after camera 0's; not staggered, both release on the same 100 ms grid. The release points
        // are the frames' stream times, set from the shared epoch before each frame waits for its point, so
        // they are exact whatever the machine's speed; how closely the real release follows them is measured
        // by `bench` (README, *Benchmarks*: the batches and latency with and without `--no-stagger`).
        using var pipeline = DetectionPipeline.Create(_detector, new PipelineOptions { StaggerCameras = stagger });
        var sink = new CollectingSink();
        CameraOptions[] cameras = [Paced("north"), Paced("south")];
        using var stop = new CancellationTokenSource();
        var running = pipeline.RunAsync(cameras, sink, stop.Token);
        await TestVideos.WaitUntilAsync(() => sink.Of("north").Count >= 10 && sink.Of("south").Count >= 10, "ten frames from each camera");
        await stop.CancelAsync();
        await running;

        var north = sink.Of("north").Select(f => f.StreamTime).ToArray();
        var south = sink.Of("south").Select(f => f.StreamTime).ToArray();

        // Every release point of either camera is on its own grid: (k + phase) × 100 ms from the epoch.
        Assert.All(north, t => Assert.Equal(0, t.Ticks % TimeSpan.FromMilliseconds(100).Ticks));
        var southPhase = TimeSpan.FromMilliseconds(expectedOffsetMs).Ticks;
        Assert.All(south, t => Assert.Equal(southPhase, t.Ticks % TimeSpan.FromMilliseconds(100).Ticks));

        // And each camera's frames take distinct points, in order (a frame dropped while inference was busy
        // leaves its point empty; none shares a point with another).
        Assert.All(north.Zip(north.Skip(1)), p => Assert.True(p.Second > p.First, $"{p.First} then {p.Second}"));
        Assert.All(south.Zip(south.Skip(1)), p => Assert.True(p.Second > p.First, $"{p.First} then {p.Second}"));
    }

    private static CameraOptions Paced(string name) =>
        new() { Name = name, Source = TestVideos.Vtest, Paced = true, PaceFps = 10 };

    private static CameraOptions Vtest(string name, double? detectFps) =>
        new() { Name = name, Source = TestVideos.Vtest, Paced = false, DetectFps = detectFps };
}
