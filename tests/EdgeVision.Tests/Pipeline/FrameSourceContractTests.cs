using EdgeVision.Pipeline;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Pipeline;

/// <summary>What every <see cref="IFrameSource"/> must do, run against each kind of source that can exist here.</summary>
public abstract class FrameSourceContractTests : IDisposable
{
    private protected TemporaryDirectory Directory { get; } = new();

    /// <summary>Frames per second of the finite source's media.</summary>
    protected abstract double SourceFps { get; }

    /// <summary>Frames the finite source holds.</summary>
    protected abstract int SourceFrames { get; }

    public void Dispose()
    {
        Directory.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract CameraOptions CreateOptions();

    protected abstract IFrameSource CreateSource(CameraOptions camera);

    [Fact]
    public async Task RunAsync_ToTheEnd_DeliversEveryFrameInSequenceAndCompletesTheChannel()
    {
        var camera = CreateOptions();
        var source = CreateSource(camera);
        var (channel, pool) = CreateChannel(camera, source);

        var reading = ReadAllAsync(channel);
        await source.RunAsync(channel, CancellationToken.None);
        var sequences = await reading;

        Assert.True(channel.Reader.Completion.IsCompleted);
        Assert.Equal(SourceFrames, channel.Counters.Captured);
        Assert.Equal(SourceFrames, channel.Counters.Dropped + sequences.Count);
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal(0, pool.Outstanding);
        Assert.False(channel.Counters.Connected);
    }

    [Fact]
    public async Task RunAsync_DetectRateOneFifthOfTheSource_TakesEveryFifthFrame()
    {
        var camera = CreateOptions();
        camera.DetectFps = SourceFps / 5;
        var source = CreateSource(camera);
        var (channel, pool) = CreateChannel(camera, source);

        var reading = ReadAllAsync(channel);
        await source.RunAsync(channel, CancellationToken.None);
        var sequences = await reading;

        var due = (SourceFrames + 4) / 5;
        Assert.Equal(SourceFrames - due, channel.Counters.Skipped);
        Assert.All(sequences, s => Assert.Equal(0, s % 5));
        Assert.Equal(due, channel.Counters.Dropped + sequences.Count);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ReturnsNormallyAndEveryBufferComesBack()
    {
        var camera = CreateOptions();
        camera.Loop = true;
        var source = CreateSource(camera);
        var (channel, pool) = CreateChannel(camera, source);
        using var cancellation = new CancellationTokenSource();

        var reading = ReadAllAsync(channel);
        var running = source.RunAsync(channel, cancellation.Token);
        await TestVideos.WaitUntilAsync(() => channel.Counters.Captured >= 3, "three frames");
        await cancellation.CancelAsync();
        await running;
        var sequences = await reading;

        Assert.True(channel.Reader.Completion.IsCompleted);
        Assert.Equal(channel.Counters.Captured, channel.Counters.Dropped + sequences.Count);
        Assert.Equal(0, pool.Outstanding);
    }

    private static (CaptureChannel Channel, FramePool Pool) CreateChannel(CameraOptions camera, IFrameSource source)
    {
        var pool = new FramePool();
        return (new CaptureChannel(0, camera, source.IsLive, capacity: 2, pool, new CameraCounters(camera.Name)), pool);
    }

    private static async Task<List<long>> ReadAllAsync(CaptureChannel channel)
    {
        var sequences = new List<long>();
        await foreach (var frame in channel.Reader.ReadAllAsync())
        {
            sequences.Add(frame.Info.Sequence);
            Assert.Equal((768, 576), (frame.Info.Width, frame.Info.Height));
            frame.Dispose();
        }

        return sequences;
    }
}

/// <summary>A file read as fast as its reader takes frames (the benchmark's source): nothing may be dropped.</summary>
public sealed class UnpacedFileSourceContractTests : FrameSourceContractTests
{
    protected override double SourceFps => 10;

    protected override int SourceFrames => TestVideos.VtestFrames;

    protected override CameraOptions CreateOptions() => new() { Name = "hall", Source = TestVideos.Vtest, Paced = false };

    protected override IFrameSource CreateSource(CameraOptions camera) => new CameraSource(camera);
}

/// <summary>A file played at its own frame rate, like a live camera: the capture queue drops its oldest frame when full.</summary>
public sealed class PacedFileSourceContractTests : FrameSourceContractTests
{
    private readonly string _video;

    public PacedFileSourceContractTests()
    {
        _video = TestVideos.Fast(Directory.Path, SourceFrames, SourceFps);
    }

    protected override double SourceFps => 50;

    protected override int SourceFrames => 60;

    protected override CameraOptions CreateOptions() => new() { Name = "yard", Source = _video, Paced = true };

    protected override IFrameSource CreateSource(CameraOptions camera) => new CameraSource(camera);
}
