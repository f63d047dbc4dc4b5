using System.Globalization;
using EdgeVision.EdgeAgent.Bench;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Models;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>bench-scale</c>: how many cameras this box serves. For each camera count, one camera in four plays the busy
/// clip and the others a still scene (both 768×576 H.264 at 10 fps, looped in real time), detected at 5 fps with
/// motion gating, tracking and the agent's automatic CPU placement; prints where the CPU goes, detector runs,
/// frames dropped before detection and capture→publish latency.
/// </summary>
internal sealed class BenchScaleVerb : IVerb
{
    public string Name => "bench-scale";

    public string Usage => "[--cameras N,N] [--model NAME] [--seconds N] [--warm-up N] [--detect-fps F] [--busy-every N] [--clip PATH] [--still PATH]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["cameras=", "model=", "seconds=", "warm-up=", "detect-fps=", "busy-every=", "clip=", "still="]);
        parsed.ExpectPositionals(0);
        var counts = Counts(parsed.Get("cameras", "4,8,16,32"));
        var model = parsed.Get("model", "nanodet-g-416-int8");
        var window = TimeSpan.FromSeconds(parsed.GetInt("seconds", 30, 1, 3600));
        var warmUp = TimeSpan.FromSeconds(parsed.GetInt("warm-up", 15, 0, 3600));
        var detectFps = parsed.GetDouble("detect-fps", 5, 0.1, 100);
        var busyEvery = parsed.GetInt("busy-every", 4, 1, 64);
        var paths = AgentPaths.Discover();
        var clip = Existing(parsed.Get("clip") ?? paths.Resolve("samples/vtest-clip.mp4"), "--clip");
        var still = Existing(parsed.Get("still") ?? paths.Resolve("samples/vtest-still.mp4"), "--still");

        var placement = CpuPlacement.Choose(CpuAffinity.Available());
        var options = placement.Apply(new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], MaxBatchSize = 4 });
        using var detector = OnnxDetector.Create(ModelCatalog.Default.Load(model), options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench-scale: {model} on {detector.ActiveProvider}, {placement}; one camera in {busyEvery} busy, the rest still; 10 fps detected at {detectFps} fps; {warmUp.TotalSeconds:F0} s warm-up, {window.TotalSeconds:F0} s measured; CPU in % of one core ({Environment.ProcessorCount} cores)"));
        Console.WriteLine(ScaleBenchmark.Header);
        foreach (var cameras in counts)
        {
            var result = await ScaleBenchmark.RunAsync(detector, clip, still, cameras, busyEvery, detectFps, placement.CaptureCpus, warmUp, window, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(ScaleBenchmark.Format(result));
        }

        return 0;
    }

    private string Existing(string path, string option) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new UserFacingException($"{Name}: {option}: file not found: {path}", 2);

    private int[] Counts(string text)
    {
        var counts = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 256)
            {
                throw new UserFacingException($"{Name}: --cameras must list camera counts from 1 to 256 separated by commas (as 4,8,16), found '{text}'", 2);
            }

            counts.Add(count);
        }

        return [.. counts];
    }
}
