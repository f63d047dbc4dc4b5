using System.Globalization;
using EdgeVision.Models;
using EdgeVision.ModelTools.Profiling;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>profile</c>: where a model's inference time goes, per operator type, from ONNX Runtime's own profiler, on
/// real frames, at each batch size asked for, with the agent's session settings.
/// </summary>
internal sealed class ProfileVerb : IVerb
{
    public string Name => "profile";

    public string Usage => "[--models NAME,NAME] [--batches 1,4] [--runs N] [--threads N] [--video PATH] [--top N] [--nodes] | --conv [--channels C] [--size S] [--threads N] [--rounds N]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["models=", "batches=", "runs=", "threads=", "video=", "top=", "nodes", "conv", "channels=", "size=", "rounds="]);
        parsed.ExpectPositionals(0);
        if (parsed.Has("conv"))
        {
            Convolution(parsed.GetInt("channels", 256, 1, 4096), parsed.GetInt("size", 52, 3, 1024), parsed.GetInt("threads", 2, 1, 64), parsed.GetInt("rounds", 5, 1, 100), cancellationToken);
            return Task.FromResult(0);
        }

        var models = parsed.Get("models", "nanodet-g-416,nanodet-g-416-int8").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var batches = parsed.Get("batches", "1,4").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 64 ? n : throw new UserFacingException($"{Name}: --batches takes sizes from 1 to 64, found '{b}'", 2))
            .ToArray();
        var runs = parsed.GetInt("runs", 50, 1, 10_000);
        var threads = parsed.GetInt("threads", 2, 1, 64);
        var top = parsed.GetInt("top", 12, 1, 1000);
        var frames = BenchVerb.ReadFrames(parsed.Get("video", BenchVerb.DefaultVideo), Math.Max(4, batches.Max()));
        var directory = Directory.CreateTempSubdirectory("edgevision-profile-").FullName;
        try
        {
            Console.WriteLine($"profile: {runs} runs after 5 warm-up runs, {threads} intra-op threads, frames of {Path.GetFileName(parsed.Get("video", BenchVerb.DefaultVideo))}");
            foreach (var name in models)
            {
                foreach (var batch in batches)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = threads, MaxBatchSize = batch };
                    string trace;
                    using (var detector = OnnxDetector.CreateProfiled(ModelCatalog.Default.Load(name), options, Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(name)}-b{batch}")))
                    {
                        for (var slot = 0; slot < batch; slot++)
                        {
                            detector.PrepareSlot(slot, frames[slot % frames.Count]);
                        }

                        for (var run = 0; run < runs + 5; run++)
                        {
                            detector.RunBatch(batch);
                        }

                        trace = detector.EndProfiling();
                    }

                    var (counted, runMs, operators) = OrtProfile.Summarize(File.ReadAllText(trace), skipRuns: 5, byNode: parsed.Has("nodes"));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}, batch {batch}: {runMs:F2} ms per run ({runMs / batch:F2} ms per frame) over {counted} runs; kernels {operators.Sum(o => o.MillisecondsPerRun):F2} ms"));
                    Console.WriteLine(parsed.Has("nodes") ? "  node (op type, name)" : "  operator                  nodes   ms/run   share");
                    foreach (var o in operators.Take(top))
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {o.Operator,-24} {o.Nodes,6:F0} {o.MillisecondsPerRun,8:F3} {o.Share,7:P1}"));
                    }

                    if (operators.Count > top)
                    {
                        var rest = operators.Skip(top).ToList();
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {$"({rest.Count} more types)",-24} {rest.Sum(o => o.Nodes),6:F0} {rest.Sum(o => o.MillisecondsPerRun),8:F3} {rest.Sum(o => o.Share),7:P1}"));
                    }
                }
            }
        }
        finally
        {
            foreach (var frame in frames)
            {
                frame.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }

        return Task.FromResult(0);
    }

    /// <summary>
    /// The convolution microbenchmark: one dense 3×3 convolution in float and as QDQ (run as QLinearConv), timed in
    /// alternating rounds; GMAC/s per precision (medians) and their ratio, the ceiling a network is measured against.
    /// </summary>
    private static void Convolution(int channels, int size, int threads, int rounds, CancellationToken cancellationToken)
    {
        var macs = ConvolutionBenchmark.MultiplyAccumulates(channels, size);
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var fp32 = new Microsoft.ML.OnnxRuntime.InferenceSession(ConvolutionBenchmark.Float(channels, size), options);
        using var int8 = new Microsoft.ML.OnnxRuntime.InferenceSession(ConvolutionBenchmark.Quantized(channels, size), options);
        var input = new float[channels * size * size];
        var random = new Random(1);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)random.NextDouble();
        }

        using var tensor = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(input, [1, channels, size, size]);
        using var run = new Microsoft.ML.OnnxRuntime.RunOptions();
        double Rate(Microsoft.ML.OnnxRuntime.InferenceSession session, int runs)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < runs; i++)
            {
                using var results = session.Run(run, ["x"], [tensor], ["y"]);
            }

            return macs * runs / watch.Elapsed.TotalSeconds / 1e9;
        }

        Rate(fp32, 3);
        Rate(int8, 3);
        var floatRates = new List<double>();
        var int8Rates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            floatRates.Add(Rate(fp32, 10));
            int8Rates.Add(Rate(int8, 10));
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var ratios = floatRates.Zip(int8Rates, (f, q) => q / f).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"convolution 3x3, {channels}->{channels} channels on {size}x{size} ({macs / 1e9:F3} GMAC), {threads} threads, {rounds} alternating rounds of 10 runs: "
            + $"FP32 {Median(floatRates):F0} GMAC/s, INT8 (QLinearConv) {Median(int8Rates):F0} GMAC/s, INT8/FP32 {Median(ratios):F2}x ({ratios.Min():F2}-{ratios.Max():F2})"));
    }
}
