using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// The <see cref="IPipelineStatistics"/> the stats loop, console summary and watchdog read. The pipeline is
/// built only once configuration has been validated and the model loaded; until then this reports an empty
/// pipeline instead of making every reader wait for it.
/// </summary>
public sealed class PipelineStatisticsProxy : IPipelineStatistics
{
    private IPipelineStatistics? _target;

    public string Model { get; set; } = string.Empty;

    public void Attach(IPipelineStatistics target) => Volatile.Write(ref _target, target);

    public PipelineSnapshot Snapshot() => Volatile.Read(ref _target)?.Snapshot() ?? new PipelineSnapshot(
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
