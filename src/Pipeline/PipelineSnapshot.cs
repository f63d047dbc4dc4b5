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
    double ProcessedFps)
{
    /// <summary>
    /// Frames that entered the pipeline but never reached the sink: a stage error, a sink that kept failing,
    /// or a shutdown that outlasted the drain timeout. After the pipeline has finished,
    /// Captured = Skipped + Dropped + Processed + Failed holds exactly.
    /// </summary>
    public long Failed { get; init; }

    /// <summary>Frames sent to the detector, whole or in regions.</summary>
    public long Detected { get; init; }

    /// <summary>Frames the detection gate skipped (nothing moved, nothing followed needed a look); counted in <see cref="CameraSnapshot.Skipped"/> too.</summary>
    public long MotionSkipped { get; init; }

    /// <summary>Regions of large frames sent to the detector.</summary>
    public long Regions { get; init; }

    /// <summary>Detections dropped by the camera's label filters.</summary>
    public long FilteredDetections { get; init; }
}

/// <summary>Per-stage latency in milliseconds over the last stats interval.</summary>
public sealed record StageLatency(string Stage, double MeanMs, double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>Measurements in the interval; the percentiles come from a bounded sample of them.</summary>
    public long Count { get; init; }
}

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
    IReadOnlyDictionary<string, long> DetectionsByLabel)
{
    /// <summary>Time since the previous snapshot (or since the pipeline started); rates and latencies cover it.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Frames handed to the sink per second over <see cref="Interval"/>, all cameras together.</summary>
    public double ProcessedFps { get; init; }

    /// <summary>Capture to the sink's acknowledgement, per frame, over <see cref="Interval"/>.</summary>
    public StageLatency? EndToEndLatency { get; init; }

    /// <summary>Frame buffers (capture and letterbox) the pipeline's pools have ever created; bounded by the queue capacities.</summary>
    public int FrameBuffersCreated { get; init; }

    /// <summary>Frame buffers currently owned by a queue or a stage; zero once the pipeline has finished.</summary>
    public int FrameBuffersInUse { get; init; }
}

/// <summary>Read side of the pipeline's metrics.</summary>
public interface IPipelineStatistics
{
    PipelineSnapshot Snapshot();
}
