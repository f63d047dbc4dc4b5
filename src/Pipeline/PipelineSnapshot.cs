namespace EdgeVision.Pipeline;

/// <summary>Counters of one camera since the pipeline started; rates are over the last stats interval.</summary>
public sealed record CameraSnapshot(
    string Name,
    bool Connected,
    long Captured,
    long Skipped,
    long Dropped,
    long Processed,
    long Reconnects,
    long CorruptFrames,
    double CapturedFps,
    double ProcessedFps);

/// <summary>Per-stage latency in milliseconds over the last stats interval.</summary>
public sealed record StageLatency(string Stage, double MeanMs, double P50Ms, double P99Ms, double MaxMs);

/// <summary>A point-in-time view of the whole pipeline, for the stats topic and the console summary.</summary>
public sealed record PipelineSnapshot(
    DateTimeOffset At,
    string ExecutionProvider,
    string Model,
    IReadOnlyList<CameraSnapshot> Cameras,
    IReadOnlyDictionary<string, int> QueueDepths,
    IReadOnlyDictionary<string, int> QueueCapacities,
    IReadOnlyDictionary<int, long> BatchSizes,
    double InferenceMeanMs,
    IReadOnlyList<StageLatency> Stages,
    IReadOnlyDictionary<string, long> DetectionsByLabel);

/// <summary>Read side of the pipeline's metrics.</summary>
public interface IPipelineStatistics
{
    PipelineSnapshot Snapshot();
}
