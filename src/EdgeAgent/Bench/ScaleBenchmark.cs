using System.Globalization;
using EdgeVision.Models;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Bench;

/// <summary>What one camera count sustained over the measured window.</summary>
/// <param name="CpuPercent">The process's CPU time over wall time, in percent of one core.</param>
/// <param name="CapturePercent">CPU of the capture threads (decoding, with one decoder thread per camera) in percent of one core.</param>
/// <param name="MotionPercent">Time in motion detection, percent of one core.</param>
/// <param name="InferencePercent">Time in inference runs, percent of one core.</param>
internal sealed record ScaleRunResult(
    int Cameras,
    double CpuPercent,
    double CapturePercent,
    double MotionPercent,
    double InferencePercent,
    double DetectorRunsPerSecond,
    double BusyRunsPerSecond,
    double RegionsPerSecond,
    long CapturedFrames,
    long DroppedBeforeDetection,
    long Failed,
    StageLatency? CaptureToPublish);

/// <summary>
/// Many cameras on one box: one in <c>busyEvery</c> plays the busy clip, the others a still scene, all paced
/// and looped as live cameras at the clips' 10 fps and detected at most <c>detectFps</c>, through the whole
/// pipeline with motion gating, tracking and the real detector; the sink only counts.
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task<ScaleRunResult> RunAsync(
        OnnxDetector detector,
        string busyClip,
        string stillClip,
        int cameras,
        int busyEvery,
        double detectFps,
        int[] captureCpus,
        TimeSpan warmUp,
        TimeSpan window,
        CancellationToken cancellationToken)
    {
        using var pipeline = DetectionPipeline.Create(detector, new PipelineOptions { MaxBatchSize = detector.MaxBatchSize });
        var sink = new CountingSink();
        var sources = Enumerable.Range(0, cameras).Select(i => new CameraOptions
        {
            Name = $"cam{i}",
            Source = i % busyEvery == 0 ? busyClip : stillClip,
            Loop = true,
            Paced = true,
            DetectFps = detectFps,
            DecodeThreads = 1,
            CaptureCpus = captureCpus,
        }).ToList();

        return await PipelineBenchmark.MeasureWindowAsync(
            pipeline,
            sources,
            sink,
            warmUp,
            window,
            () => (Snapshot: pipeline.Snapshot(), Cpu: ProcessCpu.Total(), Capture: ProcessCpu.OfThreads("capture ")),
            null,
            (start, elapsed) =>
            {
                var end = pipeline.Snapshot();
                var seconds = elapsed.TotalSeconds;
                var cpu = (ProcessCpu.Total() - start.Cpu).TotalSeconds;
                var capture = (ProcessCpu.OfThreads("capture ") - start.Capture).TotalSeconds;

                double BusyMs(string stage) => end.Stages.FirstOrDefault(s => s.Stage == stage) is { } s ? s.MeanMs * s.Count : 0;
                long Delta(Func<CameraSnapshot, long> read, Func<int, bool>? which = null) =>
                    end.Cameras.Where((c, i) => which?.Invoke(i) ?? true).Sum(read) - start.Snapshot.Cameras.Where((c, i) => which?.Invoke(i) ?? true).Sum(read);

                return new ScaleRunResult(
                    cameras,
                    100 * cpu / seconds,
                    100 * capture / seconds,
                    BusyMs("motion") / seconds / 10,
                    BusyMs("inference") / seconds / 10,
                    Delta(c => c.Detected) / seconds,
                    Delta(c => c.Detected, i => i % busyEvery == 0) / seconds,
                    Delta(c => c.Regions) / seconds,
                    Delta(c => c.Captured),
                    Delta(c => c.Dropped),
                    Delta(c => c.Failed),
                    end.EndToEndLatency);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public static string Format(ScaleRunResult r)
    {
        var latency = r.CaptureToPublish;
        var other = Math.Max(0, r.CpuPercent - r.CapturePercent - r.MotionPercent - r.InferencePercent);
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Cameras,7} {r.CpuPercent,6:F0} % {r.CapturePercent,8:F0} % {r.MotionPercent,6:F1} % {r.InferencePercent,9:F0} % {other,6:F0} % {r.DetectorRunsPerSecond,10:F1} {r.BusyRunsPerSecond,7:F1} {r.RegionsPerSecond,8:F1} {r.DroppedBeforeDetection,8} {latency?.P50Ms,7:F1} {latency?.P99Ms,7:F1} {(latency is { P50Ms: > 0 } l ? l.P99Ms / l.P50Ms : double.NaN),7:F2}");
    }

    public const string Header = "cameras    cpu  capture  motion  inference  other  runs/s  busy/s  regions/s  dropped  p50 ms  p99 ms  p99/p50";
}

/// <summary>CPU time of this process and of its threads, from /proc (Linux).</summary>
internal static class ProcessCpu
{
    public static TimeSpan Total() => TimeSpan.FromTicks(Ticks("/proc/self/stat"));

    /// <summary>CPU time of the threads whose name starts with <paramref name="prefix"/>.</summary>
    public static TimeSpan OfThreads(string prefix)
    {
        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    ticks += Ticks(Path.Combine(task, "stat"));
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading; its time is gone with it.
            }
        }

        return TimeSpan.FromTicks(ticks);
    }

    /// <summary>utime + stime of a stat file, in TimeSpan ticks (the kernel counts in USER_HZ, 100 per second on Linux).</summary>
    private static long Ticks(string statPath)
    {
        var stat = File.ReadAllText(statPath);

        // The command name in parentheses may hold spaces; the fields after it are space-separated: state is the
        // first, utime the 12th and stime the 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var clockTicks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return clockTicks * (TimeSpan.TicksPerSecond / 100);
    }
}
