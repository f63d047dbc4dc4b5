using System.Diagnostics;
using System.Diagnostics.Metrics;
using EdgeVision.Models;

namespace EdgeVision.Pipeline;

/// <summary>
/// The pipeline's measurements, published two ways: as <see cref="System.Diagnostics.Metrics"/> instruments
/// on the meter <see cref="MeterName"/> for any exporter, and as <see cref="PipelineSnapshot"/>s computed
/// from the same counters for the stats topic and the console. Counters are the cameras' own totals (the
/// observable instruments read them, nothing is counted twice); latencies go to both a histogram and a
/// bounded reservoir per stage.
/// </summary>
internal sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "EdgeVision.Pipeline";

    public const string MotionStage = "motion";
    public const string PreprocessStage = "preprocess";
    public const string TensorStage = "tensor";
    public const string InferenceStage = "inference";
    public const string DecodeStage = "decode";
    public const string AnalyticsStage = "analytics";
    public const string PublishStage = "publish";
    public const string CaptureToPublish = "capture-to-publish";

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<double> _inferenceDuration;
    private readonly Histogram<double> _frameLatency;
    private readonly Histogram<int> _batchSize;

    private readonly LatencyReservoir _motion = new(MotionStage);
    private readonly LatencyReservoir _preprocess = new(PreprocessStage);
    private readonly LatencyReservoir _tensor = new(TensorStage);
    private readonly LatencyReservoir _inference = new(InferenceStage);
    private readonly LatencyReservoir _decode = new(DecodeStage);
    private readonly LatencyReservoir _analytics = new(AnalyticsStage);
    private readonly LatencyReservoir _publish = new(PublishStage);
    private readonly LatencyReservoir _endToEnd = new(CaptureToPublish);

    private readonly Dictionary<string, long> _detectionsByLabel = new(StringComparer.Ordinal);
    private readonly object _snapshotLock = new();
    private readonly RateWindow _snapshotRates = new();
    private readonly RateWindow _gaugeRates = new();

    private readonly string _model;
    private readonly string _provider;
    private readonly long[] _batchCounts;
    private CameraCounters[] _cameras = [];
    private KeyValuePair<string, object?>[] _cameraTags = [];
    private QueueProbe[] _queues = [];
    private FramePool[] _pools = [];

    public PipelineMetrics(string model, string provider, int maxBatchSize)
    {
        _model = model;
        _provider = provider;
        _batchCounts = new long[maxBatchSize + 1];

        _stageDuration = _meter.CreateHistogram<double>("edgevision.pipeline.stage.duration", "ms", "Time one frame spends in a stage's own work");
        _inferenceDuration = _meter.CreateHistogram<double>("edgevision.pipeline.inference.duration", "ms", "Duration of one batch inference run");
        _frameLatency = _meter.CreateHistogram<double>("edgevision.pipeline.frame.latency", "ms", "From capture to the sink's acknowledgement");
        _batchSize = _meter.CreateHistogram<int>("edgevision.pipeline.batch.size", "{frame}", "Frames per inference run");

        CreateCameraCounter("edgevision.pipeline.frames.captured", "Frames read from the camera", c => c.Captured);
        CreateCameraCounter("edgevision.pipeline.frames.processed", "Frames the sink accepted", c => c.Processed);
        CreateCameraCounter("edgevision.pipeline.frames.dropped", "Frames dropped from a full capture queue", c => c.Dropped);
        CreateCameraCounter("edgevision.pipeline.frames.skipped", "Frames left out by the detect rate", c => c.Skipped);
        CreateCameraCounter("edgevision.pipeline.frames.detected", "Frames sent to the detector, whole or in regions", c => c.Detected);
        CreateCameraCounter("edgevision.pipeline.frames.motion_skipped", "Frames the detection gate skipped: nothing moved", c => c.MotionSkipped);
        CreateCameraCounter("edgevision.pipeline.regions", "Regions of large frames sent to the detector", c => c.Regions);
        CreateCameraCounter("edgevision.pipeline.detections.filtered", "Detections dropped by the camera's label filters", c => c.FilteredDetections);
        CreateCameraCounter("edgevision.pipeline.frames.corrupt", "Frames that could not be decoded", c => c.CorruptFrames);
        CreateCameraCounter("edgevision.pipeline.frames.failed", "Frames lost to a stage error or shutdown", c => c.Failed);
        CreateCameraCounter("edgevision.pipeline.camera.reconnects", "Times a camera was reopened", c => c.Reconnects);
        _meter.CreateObservableGauge("edgevision.pipeline.camera.connected", ObserveConnected, "{camera}", "1 while the camera delivers frames");
        _meter.CreateObservableGauge("edgevision.pipeline.camera.fps", ObserveFps, "{frame}/s", "Captured and processed frames per second since the previous observation");
        _meter.CreateObservableGauge("edgevision.pipeline.queue.depth", ObserveQueues, "{frame}", "Frames waiting in a queue");
        _meter.CreateObservableGauge("edgevision.pipeline.execution_provider", ObserveProvider, null, "1, tagged with the execution provider and model in use");
    }

    /// <summary>Called once the cameras and queues of a run exist.</summary>
    public void Attach(CameraCounters[] cameras, QueueProbe[] queues, FramePool[] pools)
    {
        lock (_snapshotLock)
        {
            _cameraTags = cameras.Select(c => new KeyValuePair<string, object?>("camera", c.Name)).ToArray();
            _queues = queues;
            _pools = pools;
            _cameras = cameras;
            _snapshotRates.Reset(cameras.Length);
            _gaugeRates.Reset(cameras.Length);
        }
    }

    public void RecordMotion(double milliseconds) => RecordStage(_motion, milliseconds);

    public void RecordPreprocess(double milliseconds) => RecordStage(_preprocess, milliseconds);

    public void RecordTensor(double milliseconds) => RecordStage(_tensor, milliseconds);

    /// <summary>Decoding and NMS of one frame's boxes (on the inference thread; crops of a frame summed).</summary>
    public void RecordDecode(double milliseconds) => RecordStage(_decode, milliseconds);

    public void RecordAnalytics(double milliseconds) => RecordStage(_analytics, milliseconds);

    public void RecordBatch(int size, double milliseconds)
    {
        Interlocked.Increment(ref _batchCounts[size]);
        _batchSize.Record(size);
        _inference.Record(milliseconds);
        _inferenceDuration.Record(milliseconds, new KeyValuePair<string, object?>("provider", _provider), new KeyValuePair<string, object?>("model", _model));
    }

    public void RecordPublished(int cameraIndex, double publishMilliseconds, double endToEndMilliseconds)
    {
        RecordStage(_publish, publishMilliseconds);
        _endToEnd.Record(endToEndMilliseconds);
        _frameLatency.Record(endToEndMilliseconds, _cameraTags[cameraIndex]);
    }

    public void CountLabels(Detection[] detections)
    {
        if (detections.Length == 0)
        {
            return;
        }

        lock (_detectionsByLabel)
        {
            foreach (var detection in detections)
            {
                _detectionsByLabel[detection.Label] = _detectionsByLabel.GetValueOrDefault(detection.Label) + 1;
            }
        }
    }

    public PipelineSnapshot Snapshot()
    {
        lock (_snapshotLock)
        {
            var interval = _snapshotRates.Advance(_cameras, out var capturedFps, out var processedFps);
            var cameras = new CameraSnapshot[_cameras.Length];
            for (var i = 0; i < cameras.Length; i++)
            {
                var c = _cameras[i];
                cameras[i] = new CameraSnapshot(
                    c.Name, c.Connected, c.Captured, c.Skipped, c.Dropped, c.Processed, c.Reconnects, c.CorruptFrames, capturedFps[i], processedFps[i])
                {
                    Failed = c.Failed,
                    Detected = c.Detected,
                    MotionSkipped = c.MotionSkipped,
                    Regions = c.Regions,
                    FilteredDetections = c.FilteredDetections,
                };
            }

            var batchSizes = new SortedDictionary<int, long>();
            for (var size = 1; size < _batchCounts.Length; size++)
            {
                var count = Interlocked.Read(ref _batchCounts[size]);
                if (count > 0)
                {
                    batchSizes[size] = count;
                }
            }

            Dictionary<string, long> labels;
            lock (_detectionsByLabel)
            {
                labels = new Dictionary<string, long>(_detectionsByLabel, StringComparer.Ordinal);
            }

            var inference = _inference.TakeInterval();
            var endToEnd = _endToEnd.TakeInterval();
            StageLatency[] stages =
            [
                _motion.TakeInterval(),
                _preprocess.TakeInterval(),
                _tensor.TakeInterval(),
                inference,
                _decode.TakeInterval(),
                _analytics.TakeInterval(),
                _publish.TakeInterval(),
                endToEnd,
            ];

            return new PipelineSnapshot(
                DateTimeOffset.UtcNow,
                _provider,
                _model,
                cameras,
                _queues.ToDictionary(q => q.Name, q => q.Depth(), StringComparer.Ordinal),
                _queues.ToDictionary(q => q.Name, q => q.Capacity, StringComparer.Ordinal),
                batchSizes,
                inference.MeanMs,
                stages,
                labels)
            {
                Interval = interval,
                ProcessedFps = processedFps.Sum(),
                EndToEndLatency = endToEnd,
                FrameBuffersCreated = _pools.Sum(p => p.Created),
                FrameBuffersInUse = _pools.Sum(p => p.Outstanding),
            };
        }
    }

    public void Dispose() => _meter.Dispose();

    private void RecordStage(LatencyReservoir reservoir, double milliseconds)
    {
        reservoir.Record(milliseconds);
        _stageDuration.Record(milliseconds, new KeyValuePair<string, object?>("stage", reservoir.Stage));
    }

    private void CreateCameraCounter(string name, string description, Func<CameraCounters, long> read) =>
        _meter.CreateObservableCounter(
            name,
            () => Volatile.Read(ref _cameras).Select(c => new Measurement<long>(read(c), new KeyValuePair<string, object?>("camera", c.Name))),
            "{frame}",
            description);

    private IEnumerable<Measurement<int>> ObserveConnected() =>
        Volatile.Read(ref _cameras).Select(c => new Measurement<int>(c.Connected ? 1 : 0, new KeyValuePair<string, object?>("camera", c.Name)));

    private IEnumerable<Measurement<int>> ObserveQueues() =>
        Volatile.Read(ref _queues).Select(q => new Measurement<int>(q.Depth(), new KeyValuePair<string, object?>("queue", q.Name)));

    private IEnumerable<Measurement<int>> ObserveProvider() =>
        [new Measurement<int>(1, new KeyValuePair<string, object?>("provider", _provider), new KeyValuePair<string, object?>("model", _model))];

    private IEnumerable<Measurement<double>> ObserveFps()
    {
        lock (_snapshotLock)
        {
            _gaugeRates.Advance(_cameras, out var captured, out var processed);
            var measurements = new List<Measurement<double>>(_cameras.Length * 2);
            for (var i = 0; i < _cameras.Length; i++)
            {
                var camera = new KeyValuePair<string, object?>("camera", _cameras[i].Name);
                measurements.Add(new Measurement<double>(captured[i], camera, new KeyValuePair<string, object?>("frames", "captured")));
                measurements.Add(new Measurement<double>(processed[i], camera, new KeyValuePair<string, object?>("frames", "processed")));
            }

            return measurements;
        }
    }

    /// <summary>A queue the statistics report: its name, current depth and capacity.</summary>
    internal sealed record QueueProbe(string Name, Func<int> Depth, int Capacity);

    /// <summary>Per-camera totals at the previous reading, to turn totals into rates over the time between readings.</summary>
    private sealed class RateWindow
    {
        private long _at = Stopwatch.GetTimestamp();
        private long[] _captured = [];
        private long[] _processed = [];

        public void Reset(int cameras)
        {
            _at = Stopwatch.GetTimestamp();
            _captured = new long[cameras];
            _processed = new long[cameras];
        }

        public TimeSpan Advance(CameraCounters[] cameras, out double[] capturedFps, out double[] processedFps)
        {
            var now = Stopwatch.GetTimestamp();
            var interval = Stopwatch.GetElapsedTime(_at, now);
            var seconds = interval.TotalSeconds;
            capturedFps = new double[cameras.Length];
            processedFps = new double[cameras.Length];
            for (var i = 0; i < cameras.Length && i < _captured.Length; i++)
            {
                var captured = cameras[i].Captured;
                var processed = cameras[i].Processed;
                capturedFps[i] = seconds > 0 ? (captured - _captured[i]) / seconds : 0;
                processedFps[i] = seconds > 0 ? (processed - _processed[i]) / seconds : 0;
                _captured[i] = captured;
                _processed[i] = processed;
            }

            _at = now;
            return interval;
        }
    }
}
