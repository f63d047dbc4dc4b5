using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

public sealed class CaptureChannelTests
{
    [Fact]
    public void Write_LiveQueueFull_DropsTheOldestReturnsItsBufferAndCountsIt()
    {
        using var pool = new FramePool();
        var counters = new CameraCounters("door");
        var channel = new CaptureChannel(0, new CameraOptions { Name = "door", Source = "x" }, live: true, capacity: 2, pool, counters);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(CaptureOutcome.Queued, channel.Write(channel.Rent(), TimeSpan.FromSeconds(i), CancellationToken.None));
        }

        Assert.Equal(5, counters.Captured);
        Assert.Equal(3, counters.Dropped);
        Assert.Equal(2, pool.Outstanding);
        Assert.True(channel.Reader.TryRead(out var oldest));
        Assert.True(channel.Reader.TryRead(out var newest));
        Assert.Equal([3L, 4L], [oldest.Info.Sequence, newest.Info.Sequence]);
        oldest.Dispose();
        newest.Dispose();
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Write_FrameNotDue_SkipsCountsAndReturnsTheBuffer()
    {
        using var pool = new FramePool();
        var counters = new CameraCounters("door");
        var camera = new CameraOptions { Name = "door", Source = "x", DetectFps = 1 };
        var channel = new CaptureChannel(0, camera, live: true, capacity: 8, pool, counters);

        var outcomes = Enumerable.Range(0, 4)
            .Select(i => channel.Write(channel.Rent(), TimeSpan.FromSeconds(i * 0.5), CancellationToken.None))
            .ToArray();

        Assert.Equal([CaptureOutcome.Queued, CaptureOutcome.Skipped, CaptureOutcome.Queued, CaptureOutcome.Skipped], outcomes);
        Assert.Equal(4, counters.Captured);
        Assert.Equal(2, counters.Skipped);
        Assert.Equal(2, pool.Outstanding);
    }

    [Fact]
    public void Write_DetectionPausedThenResumed_SkipsWhilePausedAndQueuesAfter()
    {
        using var pool = new FramePool();
        var counters = new CameraCounters("door");
        var states = new CameraStates(["door"]);
        var channel = new CaptureChannel(0, new CameraOptions { Name = "door", Source = "x" }, live: true, capacity: 8, pool, counters, () => states.IsDetecting("door"));

        var outcomes = new List<CaptureOutcome>();
        foreach (var detecting in (bool[])[true, false, false, true])
        {
            states.SetDetecting("door", detecting);
            outcomes.Add(channel.Write(channel.Rent(), TimeSpan.FromSeconds(outcomes.Count), CancellationToken.None));
        }

        Assert.Equal([CaptureOutcome.Queued, CaptureOutcome.Skipped, CaptureOutcome.Skipped, CaptureOutcome.Queued], outcomes);
        Assert.Equal((4L, 2L), (counters.Captured, counters.Skipped));
        Assert.Equal(2, pool.Outstanding);
    }

    [Fact]
    public void Write_AfterComplete_ReturnsTheBufferUncounted()
    {
        using var pool = new FramePool();
        var counters = new CameraCounters("door");
        var channel = new CaptureChannel(0, new CameraOptions { Name = "door", Source = "x" }, live: false, capacity: 2, pool, counters);
        channel.Complete();

        var outcome = channel.Write(channel.Rent(), TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(CaptureOutcome.Closed, outcome);
        Assert.Equal(0, counters.Captured);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Dispose_Twice_ThrowsBecauseTheFrameHadTwoOwners()
    {
        using var pool = new FramePool();
        var frame = pool.Rent();
        frame.Dispose();

        Assert.Throws<InvalidOperationException>(frame.Dispose);
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(1, pool.Created);
    }
}
