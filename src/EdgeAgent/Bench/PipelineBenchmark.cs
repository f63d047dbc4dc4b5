using System.Diagnostics;
using EdgeVision.Models;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Bench;

/// <summary>What one pipeline run measured over its steady window.</summary>
internal sealed record PipelineRunResult(
    double FramesPerSecond,
    double AllocatedBytesPerFrame,
    StageLatency? CaptureToPublish,
    IReadOnlyList<StageLatency> Stages,
    IReadOnlyDictionary<int, long> BatchSizes,
    long Dropped);

/// <summary>
/// The whole pipeline headless on a clip: cameras reading the same file, the real detector, a sink that only
/// counts (so no JSON or network cost is included). Run saturated (unpaced sources: throughput) and at a
/// chosen load (paced sources: latency).
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task<PipelineRunResult> RunAsync(
        OnnxDetector detector,
        string clip,
        int cameras,
        double? paceFps,
        PipelineOptions options,
        CameraOptions template,
        TimeSpan warmUp,
        TimeSpan window,
        CancellationToken cancellationToken,
        IFrameTap? tap = null,
        Func<CancellationToken, Task>? during = null)
    {
        using var pipeline = DetectionPipeline.Create(detector, options, tap: tap);
        var sink = new CountingSink();
        var sources = Enumerable.Range(0, cameras).Select(i =>
        {
            var camera = template.WithSource(clip);
            camera.Name = $"bench{i}";
            camera.Loop = true;
            camera.Paced = paceFps is not null;
            camera.PaceFps = paceFps;
            return camera;
        }).ToList();

        return await MeasureWindowAsync(
            pipeline,
            sources,
            sink,
            warmUp,
            window,
            // Snapshots cover the time since the previous one: this one starts the measured window.
            () => (Start: pipeline.Snapshot(), Frames: sink.Count, Bytes: GC.GetTotalAllocatedBytes(precise: true)),
            during,
            (start, elapsed) =>
            {
                var frames = sink.Count - start.Frames;
                var bytes = GC.GetTotalAllocatedBytes(precise: true) - start.Bytes;
                var end = pipeline.Snapshot();
                return new PipelineRunResult(
                    frames / elapsed.TotalSeconds,
                    frames == 0 ? double.NaN : (double)bytes / frames,
                    end.EndToEndLatency,
                    end.Stages,
                    end.BatchSizes.ToDictionary(p => p.Key, p => p.Value - start.Start.BatchSizes.GetValueOrDefault(p.Key)),
                    end.Cameras.Sum(c => c.Dropped) - start.Start.Cameras.Sum(c => c.Dropped));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/> on <paramref name="cameras"/>, lets it warm up, takes <paramref name="begin"/>'s
    /// reading, waits out the window and returns <paramref name="end"/>'s result from it and the elapsed time; the
    /// pipeline is stopped and drained before this returns.
    /// </summary>
    internal static async Task<TResult> MeasureWindowAsync<TStart, TResult>(
        DetectionPipeline pipeline,
        IReadOnlyList<CameraOptions> cameras,
        IDetectionSink sink,
        TimeSpan warmUp,
        TimeSpan window,
        Func<TStart> begin,
        Func<CancellationToken, Task>? during,
        Func<TStart, TimeSpan, TResult> end,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = pipeline.RunAsync(cameras, sink, stop.Token);
        try
        {
            await Task.Delay(warmUp, cancellationToken).ConfigureAwait(false);
            var start = begin();
            var clock = Stopwatch.StartNew();
            using var measured = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var load = during is null ? Task.CompletedTask : Task.Run(() => during(measured.Token), CancellationToken.None);
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            var result = end(start, clock.Elapsed);
            await measured.CancelAsync().ConfigureAwait(false);
            try
            {
                await load.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return result;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
    }
}

/// <summary>A sink that counts frames and keeps nothing: what the benchmark measures against, and the tests' stand-in.</summary>
internal sealed class CountingSink : IDetectionSink
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return ValueTask.CompletedTask;
    }
}
