using System.Diagnostics;
using System.Globalization;
using EdgeVision.EdgeAgent.Bench;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>bench</c>: measures the detector on real frames — ONNX Runtime inference per frame at batch 1 and 4,
/// letterbox preprocessing, decode + NMS, and managed bytes allocated per frame in steady state — for each
/// model given, and the throughput ratio against the first.
/// </summary>
internal sealed class BenchVerb : IVerb
{
    internal const string DefaultVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    public string Name => "bench";

    public string Usage => "[--models NAME,NAME] [--video PATH] [--frames N] [--iterations N] [--threads N] [--cameras N] [--seconds N] [--load F] [--clip PATH] [--batch-wait-ms MS] [--decode-threads N] [--detect-only] [--spin] [--inference-cpus LIST] [--capture-cpus LIST] [--no-stagger] [--rounds N] [--viewer]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["models=", "video=", "frames=", "iterations=", "threads=", "cameras=", "seconds=", "load=", "clip=", "batch-wait-ms=", "decode-threads=", "detect-only", "spin", "inference-cpus=", "capture-cpus=", "no-stagger", "rounds=", "viewer"]);
        parsed.ExpectPositionals(0);
        var models = parsed.Get("models", "nanodet-g-416,nanodet-g-416-int8").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var frameCount = parsed.GetInt("frames", 32, 4, 1000);
        var iterations = parsed.GetInt("iterations", 40, 4, 100_000);
        // As the agent: CPUs placed by the automatic rule unless threads or CPUs are given by hand.
        var manual = parsed.Has("threads") || parsed.Has("inference-cpus") || parsed.Has("capture-cpus");
        var placement = Hosting.CpuPlacement.Choose(CpuAffinity.Available());
        var threads = manual ? parsed.GetInt("threads", Environment.ProcessorCount, 1, 256) : placement.InferenceThreads;
        var rounds = parsed.GetInt("rounds", 1, 1, 100);
        var cameras = parsed.GetInt("cameras", 4, 1, 64);
        var seconds = parsed.GetInt("seconds", 15, 0, 3600);
        var load = parsed.GetDouble("load", 0.8, 0.05, 1.5);
        var clip = ClipPath(parsed.Get("clip"));
        var batchWait = TimeSpan.FromMilliseconds(parsed.GetDouble("batch-wait-ms", 0, 0, 1000));
        // The cameras' own settings: FFmpeg decoder threads, and tracking (the default) or detect-only analytics.
        var camera = new CameraOptions { DecodeThreads = parsed.GetInt("decode-threads", 0, 0, 64), CaptureCpus = manual ? parsed.GetCpus("capture-cpus") : placement.CaptureCpus };
        var inferenceCpus = manual ? parsed.GetCpus("inference-cpus") : placement.InferenceCpus;
        var stagger = !parsed.Has("no-stagger");
        if (parsed.Has("detect-only"))
        {
            camera.Analytics.Mode = CameraAnalyticsOptions.DetectOnlyMode;
        }
        var spin = parsed.Has("spin");
        var frames = ReadFrames(parsed.Get("video", DefaultVideo), frameCount);
        var progress = ProgressReport.ForConsole(Name);
        try
        {
            Console.WriteLine($"bench: {frames.Count} frames {frames[0].Width}x{frames[0].Height}, {iterations} iterations, {threads} intra-op threads, {Environment.ProcessorCount} cores; placement {(manual ? "manual" : "auto")}: inference on CPUs {Cpus(inferenceCpus)}, capture on CPUs {Cpus(camera.CaptureCpus)}; cameras {(stagger ? "staggered" : "not staggered")}");
            AnalyticsBenchmark.Run(20, 100);
            var analytics = AnalyticsBenchmark.Run(20, 2000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"analytics (tracking + colours + zone + line + events + captions), {analytics.Objects} people in view, {analytics.Frames} frames: {analytics.MillisecondsPerFrame:F3} ms per frame, {analytics.AllocatedBytesPerFrame:F0} B allocated per frame, {analytics.Events} events"));
            var motion = MeasureMotion(frames, iterations * 10);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"motion detection ({frames[0].Width}x{frames[0].Height} to a {motion.GreyWidth}x{motion.GreyHeight} grey frame, masks none): {motion.Milliseconds:F3} ms per frame, {motion.AllocatedBytes:F0} B allocated per frame, motion on {motion.MovingShare:P0} of frames"));
            if (models.Length >= 2 && rounds > 1)
            {
                InterleavedRatios(models, frames, iterations, rounds, threads, spin, inferenceCpus, cancellationToken);
            }

            Console.WriteLine("model                    provider  infer b1 ms  infer b4 ms/frame  pre ms  decode+nms ms  alloc B/frame  fps b1  fps b4");
            double? baseline = null;
            foreach (var name in models)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var detector = OnnxDetector.Create(ModelCatalog.Default.Load(name), new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = threads, MaxBatchSize = 4, AllowSpinning = spin, Cpus = inferenceCpus });
                var results = new List<RoundResult>();
                for (var round = 1; round <= rounds; round++)
                {
                    // Raw inference and the pipeline alternate, so that a slow stretch of this shared VM lands on both.
                    progress.Stage($"{name}: raw inference, {iterations} iterations at batch 1 and 4{(rounds > 1 ? $" (round {round} of {rounds})" : "")}");
                    var result = Measure(detector, frames, iterations);
                    if (rounds > 1)
                    {
                        Console.WriteLine($"round {round} of {rounds}");
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name,-24} {result.Provider,-9} {result.Batch1Ms,11:F2} {result.Batch4MsPerFrame,18:F2} {result.PreprocessMs,7:F2} {result.DecodeMs,14:F3} {result.AllocatedBytesPerFrame,14:F0} {1000 / result.Batch1Ms,7:F1} {1000 / result.Batch4MsPerFrame,7:F1}"));
                    var share = 100 * (result.PreprocessMs + result.DecodeMs) / result.Batch1Ms;
                    var ratio = baseline is { } b ? string.Create(CultureInfo.InvariantCulture, $"; throughput vs {models[0]}: {b / result.Batch1Ms:F2}x at batch 1") : string.Empty;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pre+post = {share:F1}% of batch-1 inference{ratio}"));
                    if (seconds > 0)
                    {
                        results.Add(await BenchPipelineAsync(progress, detector, result, clip, cameras, seconds, load, new PipelineOptions { MaxBatchSize = detector.MaxBatchSize, MaxBatchWait = batchWait, StaggerCameras = stagger }, camera, cancellationToken).ConfigureAwait(false));
                    }

                    if (round == rounds)
                    {
                        baseline ??= result.Batch1Ms;
                    }
                }

                if (parsed.Has("viewer") && results.Count > 0)
                {
                    await BenchViewerAsync(detector, clip, cameras, seconds, results, new PipelineOptions { MaxBatchSize = detector.MaxBatchSize, MaxBatchWait = batchWait, StaggerCameras = stagger }, camera, cancellationToken).ConfigureAwait(false);
                }

                if (results.Count > 1)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  median of {results.Count} rounds (lowest–highest): end-to-end {Spread(results.Select(r => r.VersusRaw), "F2")} × raw inference; capture→publish p50 {Spread(results.Select(r => r.P50Ms), "F1")} ms, p99 {Spread(results.Select(r => r.P99Ms), "F1")} ms, p99/p50 {Spread(results.Select(r => r.P99Ms / r.P50Ms), "F2")}; batch-1 inference {Spread(results.Select(r => r.Batch1Ms), "F1")} ms"));
                }
            }
        }
        finally
        {
            foreach (var frame in frames)
            {
                frame.Dispose();
            }
        }

        return 0;
    }

    /// <summary>
    /// The whole pipeline on the clip: saturated (unpaced cameras) for end-to-end throughput against raw
    /// inference throughput, then paced at the bench's load × that saturated throughput for latency.
    /// </summary>
    private sealed record RoundResult(double VersusRaw, double P50Ms, double P99Ms, double Batch1Ms, double Pace);

    /// <summary>
    /// What the web surface costs the pipeline at the same load: no tap; the latest-image tap the agent keeps with
    /// the web surface on (no viewer); and that tap with one MJPEG viewer of one camera at 5 fps and 480 p. The
    /// three alternate in every round; medians are printed at the end.
    /// </summary>
    private static async Task BenchViewerAsync(OnnxDetector detector, string clip, int cameras, int seconds, List<RoundResult> rounds, PipelineOptions options, CameraOptions camera, CancellationToken cancellationToken)
    {
        var warmUp = TimeSpan.FromSeconds(3);
        var window = TimeSpan.FromSeconds(seconds);
        string[] variants = ["no web surface", "web surface, no viewer", "one MJPEG viewer (5 fps, 480 p)"];
        var figures = variants.Select(_ => new List<(double P50, double P99, double InferenceP99)>()).ToArray();
        var encodes = new List<double>();
        foreach (var round in rounds)
        {
            for (var variant = 0; variant < variants.Length; variant++)
            {
                var frames = variant == 0 ? null : new Http.LatestFrames();
                Func<CancellationToken, Task>? viewer = variant == 2 ? token => ViewAsync(frames!, encodes, token) : null;
                var run = await PipelineBenchmark.RunAsync(detector, clip, cameras, round.Pace, options, camera, warmUp, window, cancellationToken, frames, viewer).ConfigureAwait(false);
                var inference = run.Stages.FirstOrDefault(st => st.Stage == "inference");
                figures[variant].Add((run.CaptureToPublish?.P50Ms ?? double.NaN, run.CaptureToPublish?.P99Ms ?? double.NaN, inference?.P99Ms ?? double.NaN));
                frames?.Dispose();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {variants[variant]}: capture→publish p50 {figures[variant][^1].P50:F1} ms, p99 {figures[variant][^1].P99:F1} ms; inference p99 {figures[variant][^1].InferenceP99:F1} ms"));
            }
        }

        for (var variant = 0; variant < variants.Length; variant++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  median, {variants[variant]}: p50 {Median(figures[variant].Select(f => f.P50)):F1} ms, p99 {Median(figures[variant].Select(f => f.P99)):F1} ms, inference p99 {Median(figures[variant].Select(f => f.InferenceP99)):F1} ms"));
        }

        if (encodes.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  viewer: {encodes.Count} frames encoded, {Median(encodes):F2} ms each (median; boxes drawn, JPEG at 480 p)"));
        }
    }

    private static async Task ViewAsync(Http.LatestFrames frames, List<double> encodeMs, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            if (frames.Jpeg("bench0", Http.LatestFrames.MaxHeight, boxes: true) is not null)
            {
                encodeMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>"median (lowest–highest)" of the per-round values, each in <paramref name="format"/>.</summary>
    internal static string Spread(IEnumerable<double> values, string format)
    {
        var all = values.ToArray();
        string Show(double value) => value.ToString(format, CultureInfo.InvariantCulture);
        return $"{Show(Median(all))} ({Show(all.Min())}–{Show(all.Max())})";
    }

    private static async Task<RoundResult> BenchPipelineAsync(ProgressReport progress, OnnxDetector detector, Result raw, string clip, int cameras, int seconds, double load, PipelineOptions options, CameraOptions camera, CancellationToken cancellationToken)
    {
        var warmUp = TimeSpan.FromSeconds(3);
        var window = TimeSpan.FromSeconds(seconds);
        var rawFps = 1000 / raw.Batch4MsPerFrame;
        var saturated = await progress.TrackAsync(
            $"pipeline, {cameras} unpaced cameras", warmUp + window,
            PipelineBenchmark.RunAsync(detector, clip, cameras, null, options, camera, warmUp, window, cancellationToken)).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  pipeline, {cameras} unpaced cameras: {saturated.FramesPerSecond:F1} fps end-to-end = {saturated.FramesPerSecond / rawFps:F2} × raw inference {rawFps:F1} fps (batch 4, same threads); {saturated.AllocatedBytesPerFrame:F0} B allocated per frame (no JSON); batches {Batches(saturated.BatchSizes)}"));

        // Load is relative to what the whole pipeline just sustained (decode and letterbox share the cores
        // with inference), so "80 %" means 80 % of this machine's real capacity for this model.
        var pace = load * saturated.FramesPerSecond / cameras;
        var loaded = await progress.TrackAsync(
            $"pipeline at {load:P0} load", warmUp + window,
            PipelineBenchmark.RunAsync(detector, clip, cameras, pace, options, camera, warmUp, window, cancellationToken)).ConfigureAwait(false);
        var latency = loaded.CaptureToPublish;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  pipeline at {load:P0} load ({cameras} cameras × {pace:F1} fps = {loaded.FramesPerSecond:F1} fps): capture→publish p50 {latency?.P50Ms:F1} ms, p99 {latency?.P99Ms:F1} ms (batch-1 inference {raw.Batch1Ms:F1} ms); dropped {loaded.Dropped}; batches {Batches(loaded.BatchSizes)}"));
        Console.WriteLine("  stages p50/p99 ms: " + string.Join(", ", loaded.Stages.Select(st => string.Create(CultureInfo.InvariantCulture, $"{st.Stage} {st.P50Ms:F2}/{st.P99Ms:F2}"))));
        return new RoundResult(saturated.FramesPerSecond / rawFps, latency?.P50Ms ?? double.NaN, latency?.P99Ms ?? double.NaN, raw.Batch1Ms, pace);
    }

    private static string Cpus(int[] cpus) => cpus.Length == 0 ? "any" : string.Join(',', cpus);

    private static string Batches(IReadOnlyDictionary<int, long> sizes) =>
        string.Join(" ", sizes.Where(p => p.Value > 0).OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}"));

    /// <summary>The bundled clip, found from the current directory or the build output.</summary>
    private static string ClipPath(string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new UserFacingException($"bench: clip not found: {given}");
        }

        var paths = Hosting.AgentPaths.Discover();
        var clip = paths.Resolve("samples/vtest-clip.mp4");
        return File.Exists(clip) ? clip : throw new UserFacingException($"bench: bundled clip not found at {clip}; pass --clip PATH");
    }

    private sealed record MotionResult(double Milliseconds, double AllocatedBytes, double MovingShare, int GreyWidth, int GreyHeight);

    /// <summary>The motion detector alone on the bench frames in order, as one camera would see them at 10 fps.</summary>
    private static MotionResult MeasureMotion(List<Mat> frames, int iterations)
    {
        var detector = new Pipeline.Motion.MotionDetector(new Pipeline.Motion.MotionOptions());
        for (var i = 0; i < frames.Count; i++)
        {
            detector.Detect(frames[i], TimeSpan.FromMilliseconds(100 * i));
        }

        var moving = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var at = TimeSpan.FromMilliseconds(100 * (frames.Count + i));
            moving += detector.Detect(frames[i % frames.Count], at) == Pipeline.Motion.MotionState.Moving ? 1 : 0;
        }

        var ms = clock.Elapsed.TotalMilliseconds / iterations;
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)iterations;
        return new MotionResult(ms, bytes, (double)moving / iterations, detector.GreySize.Width, detector.GreySize.Height);
    }

    /// <summary>
    /// Each model's raw inference throughput against the first's, measured in alternation (A B A B …) so that a slow
    /// stretch of a shared machine lands on both sides of every round: the median of the per-round ratios with their
    /// spread (lowest–highest), at batch 1 and at batch 4.
    /// </summary>
    private static void InterleavedRatios(string[] models, List<Mat> frames, int iterations, int rounds, int threads, bool spin, int[] inferenceCpus, CancellationToken cancellationToken)
    {
        var detectors = models.Select(name => OnnxDetector.Create(ModelCatalog.Default.Load(name), new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = threads, MaxBatchSize = 4, AllowSpinning = spin, Cpus = inferenceCpus })).ToArray();
        try
        {
            var perRound = new List<Result[]>();
            for (var round = 0; round < rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                perRound.Add([.. detectors.Select(d => Measure(d, frames, iterations))]);
            }

            Console.WriteLine($"interleaved: {rounds} rounds of {string.Join(" → ", models)}, throughput against {models[0]} (median, lowest–highest of the per-round ratios)");
            for (var m = 1; m < models.Length; m++)
            {
                var batch1 = perRound.Select(r => r[0].Batch1Ms / r[m].Batch1Ms).ToList();
                var batch4 = perRound.Select(r => r[0].Batch4MsPerFrame / r[m].Batch4MsPerFrame).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {models[m]}: batch 1 {Median(batch1):F2}x ({batch1.Min():F2}–{batch1.Max():F2}), batch 4 {Median(batch4):F2}x ({batch4.Min():F2}–{batch4.Max():F2}); {models[m]} batch-1 {Median(perRound.Select(r => r[m].Batch1Ms)):F2} ms, {models[0]} {Median(perRound.Select(r => r[0].Batch1Ms)):F2} ms"));
            }
        }
        finally
        {
            foreach (var detector in detectors)
            {
                detector.Dispose();
            }
        }
    }

    private sealed record Result(string Provider, double Batch1Ms, double Batch4MsPerFrame, double PreprocessMs, double DecodeMs, double AllocatedBytesPerFrame);

    private static Result Measure(OnnxDetector detector, List<Mat> frames, int iterations)
    {
        var detections = new List<Detection>();
        var transforms = new LetterboxTransform[4];

        // Warm-up: first runs allocate the output buffers and let ONNX Runtime pick its kernels.
        for (var i = 0; i < 4; i++)
        {
            transforms[i] = detector.PrepareSlot(i, frames[i]);
        }

        detector.RunBatch(4);
        detector.RunBatch(1);
        detector.DecodeSlot(0, transforms[0], detections);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            detector.PrepareSlot(0, frames[i % frames.Count]);
        }

        var preprocessMs = clock.Elapsed.TotalMilliseconds / iterations;

        transforms[0] = detector.PrepareSlot(0, frames[0]);
        clock.Restart();
        for (var i = 0; i < iterations; i++)
        {
            detector.RunBatch(1);
        }

        var batch1Ms = clock.Elapsed.TotalMilliseconds / iterations;

        clock.Restart();
        for (var i = 0; i < iterations; i++)
        {
            detector.DecodeSlot(0, transforms[0], detections);
        }

        var decodeMs = clock.Elapsed.TotalMilliseconds / iterations;

        for (var i = 0; i < 4; i++)
        {
            transforms[i] = detector.PrepareSlot(i, frames[i]);
        }

        var batches = Math.Max(iterations / 4, 2);
        clock.Restart();
        for (var i = 0; i < batches; i++)
        {
            detector.RunBatch(4);
        }

        var batch4Ms = clock.Elapsed.TotalMilliseconds / (batches * 4);

        // Steady state: the whole per-frame path (letterbox → inference → decode + NMS) over every frame.
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var frame in frames)
        {
            var transform = detector.PrepareSlot(0, frame);
            detector.RunBatch(1);
            detector.DecodeSlot(0, transform, detections);
        }

        var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)frames.Count;
        return new Result(detector.ActiveProvider, batch1Ms, batch4Ms, preprocessMs, decodeMs, allocated);
    }

    /// <summary>Frames from the second half of the clip, away from the frames quantization calibrates on.</summary>
    /// <summary>Every third frame of <paramref name="video"/> from frame 400 on, up to <paramref name="count"/>.</summary>
    internal static List<Mat> ReadFrames(string video, int count)
    {
        using var capture = new VideoCapture(video);
        if (!capture.IsOpened())
        {
            throw new UserFacingException($"bench: video does not open: {video}");
        }

        var frames = new List<Mat>();
        var index = 0;
        while (frames.Count < count)
        {
            var frame = new Mat();
            if (!capture.Read(frame) || frame.Empty())
            {
                frame.Dispose();
                break;
            }

            if (index++ >= 400 && index % 3 == 0)
            {
                frames.Add(frame);
            }
            else
            {
                frame.Dispose();
            }
        }

        if (frames.Count < 4)
        {
            foreach (var f in frames)
            {
                f.Dispose();
            }

            throw new UserFacingException($"bench: {video} has fewer than 4 usable frames");
        }

        return frames;
    }
}
