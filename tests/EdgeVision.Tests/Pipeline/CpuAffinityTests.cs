using System.Globalization;
using EdgeVision.EdgeAgent;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Pipeline;

/// <summary>
/// CPU pinning read back from the kernel (/proc/…/status "Cpus_allowed_list"). Each test uses the last CPU
/// this process may run on, so it holds on a machine with any number of CPUs.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class CpuAffinityTests
{
    private static int LastCpu => CpuAffinity.Available()[^1];

    [Fact]
    public void Available_OnLinux_ListsEveryCpuTheKernelAllows()
    {
        var fromKernel = ParseList(StatusField("/proc/self/status", "Cpus_allowed_list"));

        Assert.Equal(fromKernel, CpuAffinity.Available());
    }

    [Fact]
    public void TryPin_OnAThread_TheKernelReportsThatThreadOnThoseCpusOnly()
    {
        string? pinned = null, after = null;
        var thread = new Thread(() =>
        {
            Assert.True(CpuAffinity.TryPin([LastCpu]));
            pinned = StatusField("/proc/thread-self/status", "Cpus_allowed_list");
        });
        thread.Start();
        thread.Join();
        after = StatusField("/proc/thread-self/status", "Cpus_allowed_list");

        Assert.Equal(LastCpu.ToString(CultureInfo.InvariantCulture), pinned);
        Assert.Equal(ParseList(StatusField("/proc/self/status", "Cpus_allowed_list")), ParseList(after));
    }

    [Theory]
    [InlineData(new[] { -1 }, "CPU -1 is not a CPU number (0 to 1023)")]
    [InlineData(new[] { 1024 }, "CPU 1024 is not a CPU number (0 to 1023)")]
    [InlineData(new[] { 0, 0 }, "a CPU is listed twice")]
    public void Check_BadLists_NameTheProblem(int[] cpus, string expected) =>
        Assert.Contains(expected, CpuAffinity.Check(cpus));

    [Fact]
    public void Check_CpuOutsideTheProcessSet_NamesTheAvailableOnes()
    {
        var missing = CpuAffinity.Available()[^1] + 1;

        var error = Assert.Single(CpuAffinity.Check([missing]));

        Assert.Equal($"CPU {missing} is not available to this process (available: {string.Join(", ", CpuAffinity.Available())})", error);
    }

    [Fact]
    public void Detect_WithCpus_LeavesTheCallersSetAsItWasAndPinsOrtsOwnThreads()
    {
        var before = ThreadsOnlyOn(LastCpu);
        using var detector = OnnxDetector.Create(
            ModelCatalog.Default.Load("nanodet-g-416-int8"),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 2, MaxBatchSize = 1, Cpus = [LastCpu] });
        var callerBefore = StatusField("/proc/thread-self/status", "Cpus_allowed_list");

        using var image = VideoFrames.Vtest(0);
        var detections = detector.Detect(image);

        Assert.Contains(detections, d => d.Label == "person");
        Assert.Equal(callerBefore, StatusField("/proc/thread-self/status", "Cpus_allowed_list"));

        // IntraOpThreads 2 is the caller plus one thread of ORT's pool, created on the listed CPU.
        Assert.True(ThreadsOnlyOn(LastCpu) >= before + 1, $"threads on CPU {LastCpu} only: {before} before the session, {ThreadsOnlyOn(LastCpu)} after");
    }

    [Fact]
    public async Task CameraSource_WithCaptureCpus_CaptureThreadRunsOnThemOnly()
    {
        var camera = new CameraOptions { Name = "pinned", Source = TestVideos.Vtest, Loop = true, Paced = true, CaptureCpus = [LastCpu] };
        var source = new CameraSource(camera);
        using var pool = new FramePool();
        var channel = new CaptureChannel(0, camera, source.IsLive, 2, pool, new CameraCounters(camera.Name));
        using var stop = new CancellationTokenSource();
        var running = source.RunAsync(channel, stop.Token);
        var draining = Task.Run(async () =>
        {
            await foreach (var frame in channel.Reader.ReadAllAsync())
            {
                frame.Dispose();
            }
        });

        string? affinity = null;
        for (var attempt = 0; attempt < 100 && affinity is null; attempt++)
        {
            await Task.Delay(50);
            affinity = Directory.EnumerateDirectories("/proc/self/task")
                .Where(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == "capture pinned")
                .Select(task => StatusField(Path.Combine(task, "status"), "Cpus_allowed_list"))
                .FirstOrDefault();
        }

        await stop.CancelAsync();
        await running;
        await draining;
        Assert.Equal(LastCpu.ToString(CultureInfo.InvariantCulture), affinity);
    }

    [Theory]
    [InlineData("x", "error: --inference-cpus must list CPU numbers separated by commas (as 0 or 2,3), found 'x'")]
    [InlineData("0,,1", "error: --inference-cpus must list CPU numbers separated by commas (as 0 or 2,3), found '0,,1'")]
    [InlineData("4096", "error: --inference-cpus: CPU 4096 is not a CPU number (0 to 1023)")]
    public async Task BenchVerb_BadCpuList_ExitsTwoNamingIt(string list, string expected)
    {
        using var error = new StringWriter();

        var exitCode = await CommandLine.RunAsync(["bench", "--inference-cpus", list, "--seconds", "0"], error);

        Assert.Equal((2, expected + "\n"), (exitCode, error.ToString()));
    }

    private static int ThreadsOnlyOn(int cpu) => Directory.EnumerateDirectories("/proc/self/task")
        .Select(task => TryStatusField(Path.Combine(task, "status"), "Cpus_allowed_list"))
        .Count(list => list == cpu.ToString(CultureInfo.InvariantCulture));

    private static string StatusField(string path, string field) =>
        TryStatusField(path, field) ?? throw new InvalidOperationException($"{field} not in {path}");

    private static string? TryStatusField(string path, string field)
    {
        try
        {
            return File.ReadLines(path).Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
                .Select(line => line[(field.Length + 1)..].Trim()).FirstOrDefault();
        }
        catch (IOException)
        {
            return null; // the thread ended meanwhile
        }
    }

    /// <summary>"0-2,5" → 0, 1, 2, 5.</summary>
    private static List<int> ParseList(string list) => [.. list.Split(',').SelectMany(part =>
    {
        var ends = part.Split('-').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return Enumerable.Range(ends[0], ends[^1] - ends[0] + 1);
    })];
}
