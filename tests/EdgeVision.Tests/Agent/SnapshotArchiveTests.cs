using EdgeVision.EdgeAgent.Bench;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeVision.Tests.Agent;

public sealed class SnapshotArchiveTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "snapshot-archive-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task PublishAsync_OverTheByteBudget_DeletesTheOldestAndStaysWithinIt()
    {
        var inner = new CountingSink();
        var archive = new SnapshotArchive(inner, _root, maxBytes: 2500, NullLogger.Instance);

        for (var i = 1; i <= 5; i++)
        {
            await archive.PublishAsync(Frame(new TrackSnapshotImage($"gate-{i}-0-1", $"gate-{i}-0", i, "person", 0.9f, new byte[1000])), CancellationToken.None);
        }

        Assert.Equal(5, inner.Count);
        Assert.Equal(2000, archive.Bytes);
        Assert.Equal(["gate-4-0.jpg", "gate-5-0.jpg"], Directory.GetFiles(Path.Combine(_root, "gate")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task PublishAsync_BetterViewOfTheSameEvent_ReplacesItsFile()
    {
        var archive = new SnapshotArchive(new CountingSink(), _root, maxBytes: 10_000, NullLogger.Instance);

        await archive.PublishAsync(Frame(new TrackSnapshotImage("gate-1-0-1", "gate-1-0", 1, "person", 0.6f, new byte[300])), CancellationToken.None);
        await archive.PublishAsync(Frame(new TrackSnapshotImage("gate-1-0-1", "gate-1-0", 1, "person", 0.9f, new byte[700])), CancellationToken.None);

        Assert.Equal(700, archive.Bytes);
        Assert.Equal(700, new FileInfo(Path.Combine(_root, "gate", "gate-1-0.jpg")).Length);
    }

    [Fact]
    public async Task Constructor_ExistingArchive_CountsItsFilesIntoTheBudget()
    {
        var first = new SnapshotArchive(new CountingSink(), _root, maxBytes: 10_000, NullLogger.Instance);
        await first.PublishAsync(Frame(new TrackSnapshotImage("gate-1-0-1", "gate-1-0", 1, "person", 0.9f, new byte[400])), CancellationToken.None);

        var reopened = new SnapshotArchive(new CountingSink(), _root, maxBytes: 10_000, NullLogger.Instance);

        Assert.Equal(400, reopened.Bytes);
    }

    private static FrameDetections Frame(TrackSnapshotImage snapshot) =>
        new("gate", 1, DateTimeOffset.UnixEpoch, 0, 640, 480, "m", 1, 1, [])
        {
            Analytics = new FrameAnalytics([], [], []) { Snapshots = [snapshot] },
        };
}
