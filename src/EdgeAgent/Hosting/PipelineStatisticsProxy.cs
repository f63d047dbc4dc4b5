using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// The <see cref="IPipelineStatistics"/> the stats loop, console summary and watchdog read. The pipeline is
/// built only once configuration has been validated and the model loaded; until then this reports an empty
/// pipeline instead of making every reader wait for it. The pipeline's rates and latency percentiles cover
/// the time since its previous snapshot, so the readers share snapshots: one younger than
/// <see cref="MinimumInterval"/> is handed out again rather than cutting a new, too-short interval.
/// </summary>
internal sealed class PipelineStatisticsProxy : IPipelineStatistics
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private IPipelineStatistics? _target;
    private PipelineSnapshot? _last;
    private long _lastTaken;

    public string Model { get; set; } = string.Empty;

    public void Attach(IPipelineStatistics target) => Volatile.Write(ref _target, target);

    public PipelineSnapshot Snapshot()
    {
        var target = Volatile.Read(ref _target);
        if (target is null)
        {
            return Starting();
        }

        lock (_gate)
        {
            if (_last is null || System.Diagnostics.Stopwatch.GetElapsedTime(_lastTaken) >= MinimumInterval)
            {
                _last = target.Snapshot();
                _lastTaken = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            return _last;
        }
    }

    private PipelineSnapshot Starting() => new(
        DateTimeOffset.UtcNow,
        "starting",
        Model,
        [],
        new Dictionary<string, int>(),
        new Dictionary<string, int>(),
        new Dictionary<int, long>(),
        0,
        [],
        new Dictionary<string, long>());
}
