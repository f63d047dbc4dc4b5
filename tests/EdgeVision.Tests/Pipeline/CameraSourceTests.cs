using System.Diagnostics;
using EdgeVision.Pipeline;
using EdgeVision.Tests.Models;
using Microsoft.Extensions.Logging;

namespace EdgeVision.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class CameraSourceTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("0", CameraSourceKind.Device)]
    [InlineData("/dev/video2", CameraSourceKind.Device)]
    [InlineData("rtsp://10.0.0.5:554/stream1", CameraSourceKind.Stream)]
    [InlineData("http://10.0.0.5/mjpeg", CameraSourceKind.Stream)]
    [InlineData("/var/lib/edgevision/clip.mp4", CameraSourceKind.File)]
    [InlineData("clips/door.avi", CameraSourceKind.File)]
    public void KindOf_Source_NamesWhatItIs(string source, CameraSourceKind expected)
    {
        Assert.Equal(expected, CameraSource.KindOf(source));
    }

    [Fact]
    public async Task RunAsync_CorruptFile_CountsTheLostFramesAndDeliversTheRestInOrder()
    {
        var camera = new CameraOptions { Name = "hall", Source = TestVideos.Corrupt(_directory.Path), Paced = false };

        var (counters, sequences) = await ReadToEndAsync(camera);

        Assert.True(counters.CorruptFrames > 0);
        Assert.Equal(TestVideos.VtestFrames, counters.Captured + counters.CorruptFrames);
        Assert.Equal(Enumerable.Range(0, (int)counters.Captured).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task RunAsync_OneDecodeThread_ReadsEveryFrameOfTheClip()
    {
        var camera = new CameraOptions { Name = "hall", Source = Path.Combine(Support.RepositoryPaths.Root, "samples", "vtest-clip.mp4"), Paced = false, DecodeThreads = 1 };

        var (counters, sequences) = await ReadToEndAsync(camera);

        Assert.Equal(400, counters.Captured);
        Assert.Equal(0, counters.CorruptFrames);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task RunAsync_TruncatedFile_EndsNormallyCountingTheMissingFrames()
    {
        var camera = new CameraOptions { Name = "hall", Source = TestVideos.Truncated(_directory.Path), Paced = false };

        var (counters, sequences) = await ReadToEndAsync(camera);

        Assert.InRange(counters.Captured, 1, TestVideos.VtestFrames - 1);
        Assert.Equal(TestVideos.VtestFrames, counters.Captured + counters.CorruptFrames);
        Assert.Equal(counters.Captured, sequences.Count);
        Assert.Equal(0, counters.Reconnects);
    }

    [Fact]
    public async Task RunAsync_FileThatEnds_OnlineOnceFramesFlowThenOfflineAtTheEnd()
    {
        var camera = new CameraOptions { Name = "hall", Source = TestVideos.Fast(_directory.Path, 12, 25), Paced = false };
        var changes = new List<bool>();

        var (counters, _) = await ReadToEndAsync(camera, online => changes.Add(online));

        Assert.Equal(12, counters.Captured);
        Assert.Equal([true, false], changes);
    }

    [Fact]
    public async Task RunAsync_LoopedFile_StaysOnlineAcrossRewinds()
    {
        var camera = new CameraOptions { Name = "hall", Source = TestVideos.Fast(_directory.Path, 10, 25), Paced = false, Loop = true };
        var changes = new List<bool>();
        var source = new CameraSource(camera);
        using var pool = new FramePool();
        var channel = new CaptureChannel(0, camera, source.IsLive, 2, pool, new CameraCounters(camera.Name, online => changes.Add(online)));
        using var cancellation = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var frame in channel.Reader.ReadAllAsync())
            {
                frame.Dispose();
            }
        });

        var running = source.RunAsync(channel, cancellation.Token);
        await TestVideos.WaitUntilAsync(() => channel.Counters.Captured >= 35, "three rewinds");
        var whileRunning = changes.ToArray();
        await cancellation.CancelAsync();
        await running;
        await reading;

        Assert.Equal([true], whileRunning);
        Assert.Equal([true, false], changes);
    }

    [Fact]
    public async Task RunAsync_UnreachableStream_RetriesWithDoublingDelaysAndCountsReconnects()
    {
        var camera = TestCameras.Unreachable("door");
        var logger = new RecordingLogger();
        var source = new CameraSource(camera, logger, jitter: () => 0);
        using var pool = new FramePool();
        var changes = new List<bool>();
        var channel = new CaptureChannel(0, camera, source.IsLive, 2, pool, new CameraCounters(camera.Name, online => changes.Add(online)));
        using var cancellation = new CancellationTokenSource();

        var running = source.RunAsync(channel, cancellation.Token);
        await TestVideos.WaitUntilAsync(() => channel.Counters.Reconnects >= 4, "four reconnects");
        await cancellation.CancelAsync();
        await running;

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.Equal(
            [
                "Camera door: cannot open (attempt 1); retrying in 50 ms",
                "Camera door: cannot open (attempt 2); retrying in 100 ms",
                "Camera door: cannot open (attempt 3); retrying in 200 ms",
                "Camera door: cannot open (attempt 4); retrying in 200 ms",
            ],
            warnings[..4]);
        Assert.Equal(0, channel.Counters.Captured);
        Assert.False(channel.Counters.Connected);
        Assert.Empty(changes);
        Assert.True(channel.Reader.Completion.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_OpenBlocksForever_WatchdogAbandonsTheCallAndReconnects()
    {
        // A named pipe nobody writes to: FFmpeg's open blocks in read() and no timeout of its own applies.
        var fifo = _directory.Combine("stalled.avi");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var camera = new CameraOptions
        {
            Name = "attic",
            Source = fifo,
            OpenTimeout = TimeSpan.FromMilliseconds(100),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(10),
        };
        var logger = new RecordingLogger();
        var source = new CameraSource(camera, logger);
        using var pool = new FramePool();
        var channel = new CaptureChannel(0, camera, source.IsLive, 2, pool, new CameraCounters(camera.Name));
        using var cancellation = new CancellationTokenSource();

        var running = source.RunAsync(channel, cancellation.Token);
        await TestVideos.WaitUntilAsync(() => channel.Counters.Reconnects >= 1, "the watchdog's reconnect");
        await cancellation.CancelAsync();
        await running;

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Camera attic: no frame for ", StringComparison.Ordinal));
        Assert.True(channel.Reader.Completion.IsCompleted);
        Assert.Equal(0, channel.Counters.Captured);

        // The source gave up on the open blocked on the pipe (and on any reopen still waiting at shutdown).
        Assert.True(source.AbandonedCaptures >= 1, $"{source.AbandonedCaptures} abandoned captures");

        // OpenCV serializes FFmpeg opens behind one process-wide lock, so an open left blocked here would stall
        // every later VideoCapture in the test process. Release them all: a writer (read-write, so opening it
        // does not block) wakes every open waiting on the pipe, the path is removed so that any open still
        // queued behind the lock fails at once, and closing the writer gives the woken readers end of file.
        // Each abandoned thread then disposes what it opened and ends, which the source counts.
        using (new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite))
        {
            File.Delete(fifo);
        }

        await TestVideos.WaitUntilAsync(() => source.AbandonedCaptures == 0, "the abandoned opens to return");
    }

    private static async Task<(CameraCounters Counters, List<long> Sequences)> ReadToEndAsync(CameraOptions camera, Action<bool>? connectedChanged = null)
    {
        var source = new CameraSource(camera);
        using var pool = new FramePool();
        var channel = new CaptureChannel(0, camera, source.IsLive, 2, pool, new CameraCounters(camera.Name, connectedChanged));
        var sequences = new List<long>();
        var reading = Task.Run(async () =>
        {
            await foreach (var frame in channel.Reader.ReadAllAsync())
            {
                sequences.Add(frame.Info.Sequence);
                frame.Dispose();
            }
        });

        await source.RunAsync(channel, CancellationToken.None);
        await reading;
        Assert.Equal(0, pool.Outstanding);
        return (channel.Counters, sequences);
    }
}
