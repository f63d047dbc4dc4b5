using System.Globalization;
using EdgeVision.Models;
using EdgeVision.ModelTools.Profiling;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>profile</c>: where a model's inference time goes, per operator type, from ONNX Runtime's own profiler, on
/// real frames, at each batch size asked for, with the agent's session settings.
/// </summary>
public sealed class ProfileVerb : IVerb
{
    public string Name => "profile";

    public string Usage => "[--models NAME,NAME] [--batches 1,4] [--runs N] [--threads N] [--video PATH] [--top N]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["models=", "batches=", "runs=", "threads=", "video=", "top="]);
        parsed.ExpectPositionals(0);
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
                    using (var detector = OnnxDetector.CreateProfiled(ModelCatalog.Default.Load(name), options, Path.Combine(directory, $"{name}-b{batch}")))
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

                    var (counted, runMs, operators) = OrtProfile.Summarize(File.ReadAllText(trace), skipRuns: 5);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}, batch {batch}: {runMs:F2} ms per run ({runMs / batch:F2} ms per frame) over {counted} runs; kernels {operators.Sum(o => o.MillisecondsPerRun):F2} ms"));
                    Console.WriteLine("  operator                  nodes   ms/run   share");
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
}
