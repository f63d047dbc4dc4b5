using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using EdgeVision.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeVision.Pipeline;

/// <summary>
/// Runs cameras through one detector to a sink:
/// <code>
/// source ─► [capture, per camera, DropOldest] ─► preprocess (per camera: detection gate, then letterbox or
///   crops of regions) ─► [preprocessed]
///   ─► batcher + inference + decode and NMS (one session, all cameras) ─► [inferred]
///   ─► analytics (per camera: tracking, zones, lines, events, captions) ─► [publish] ─► sink
/// </code>
/// Every queue is bounded. Cancelling <see cref="RunAsync"/>'s token stops capture only: frames already
/// captured still flow through and are published, then the call returns; a drain that outlasts
/// <see cref="PipelineOptions.DrainTimeout"/> is cut short and its frames counted as failed.
/// </summary>
public sealed partial class DetectionPipeline : IPipelineStatistics, IDisposable
{
    private readonly IBatchDetector _detector;
    private readonly PipelineOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Func<CameraOptions, ILogger, IFrameSource> _sourceFactory;
    private readonly PipelineMetrics _metrics;
    private readonly IFrameTap? _tap;
    private readonly ISequenceSource? _sequences;
    private readonly int _maxBatchSize;
    private int _started;

    /// <param name="detector">Used by one thread for the whole run; the caller keeps ownership.</param>
    /// <param name="sourceFactory">Makes each camera's source; <see cref="CameraSource"/> when null.</param>
    /// <param name="states">Where camera status is reported and detection paused; a new one when null.</param>
    /// <param name="tap">Gets each processed frame's picture for viewers; none when null.</param>
    public DetectionPipeline(
        IBatchDetector detector,
        PipelineOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        Func<CameraOptions, ILogger, IFrameSource>? sourceFactory = null,
        CameraStates? states = null,
        IFrameTap? tap = null,
        ISequenceSource? sequences = null)
    {
        _tap = tap;
        _sequences = sequences;
        _detector = detector ?? throw new ArgumentNullException(nameof(detector));
        _options = options ?? new PipelineOptions();
        CheckOptions(_options);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<DetectionPipeline>();
        _sourceFactory = sourceFactory ?? ((camera, logger) => new CameraSource(camera, logger));
        _maxBatchSize = Math.Min(_options.MaxBatchSize, detector.MaxBatchSize);
        _metrics = new PipelineMetrics(detector.ModelName, detector.ExecutionProvider, _maxBatchSize);
        States = states ?? new CameraStates();
    }

    /// <summary>A pipeline over an ONNX Runtime detector; the caller keeps ownership of it.</summary>
    /// <param name="sequences">Where frame and event numbering continues from; each run starts at 0 (frames) and 1 (events) when null.</param>
    public static DetectionPipeline Create(OnnxDetector detector, PipelineOptions? options = null, ILoggerFactory? loggerFactory = null, CameraStates? states = null, IFrameTap? tap = null, ISequenceSource? sequences = null) =>
        new(new OnnxBatchDetector(detector), options, loggerFactory, states: states, tap: tap, sequences: sequences);

    /// <summary>Each camera's status (online while frames flow) and detection switch.</summary>
    public CameraStates States { get; }

    /// <summary>Name of the <see cref="System.Diagnostics.Metrics.Meter"/> the pipeline's instruments live on.</summary>
    public static string MeterName => PipelineMetrics.MeterName;

    /// <summary>
    /// Runs the enabled cameras until every one has ended (files that do not loop) or
    /// <paramref name="cancellationToken"/> is cancelled, then drains. Returns normally after a
    /// cancellation; throws the first stage fault (an inference error, say) after stopping everything.
    /// A pipeline runs once.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<CameraOptions> cameras, IDetectionSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentNullException.ThrowIfNull(sink);
        var enabled = cameras.Where(c => c.Enabled).ToArray();
        CheckCameras(enabled);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a DetectionPipeline runs once; create a new one");
        }

        using var stopCapture = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abort = new CancellationTokenSource();
        using var drainDeadline = cancellationToken.Register(() => abort.CancelAfter(_options.DrainTimeout));

        var capturePools = enabled.Select(_ => new FramePool()).ToArray();
        using var scaledPool = new FramePool();
        var sources = enabled.Select(c => _sourceFactory(c, _loggerFactory.CreateLogger("EdgeVision.Pipeline.CameraSource." + c.Name))).ToArray();
        var clocks = CameraClock.ForCameras(enabled.Length, _options.StaggerCameras);
        var captures = enabled.Select((c, i) =>
        {
            States.Add(c.Name);
            var counters = new CameraCounters(c.Name, online => States.SetOnline(c.Name, online), moving => States.SetMoving(c.Name, moving));
            return new CaptureChannel(i, c, sources[i].IsLive, _options.CaptureQueueCapacity, capturePools[i], counters, () => States.IsDetecting(c.Name), clocks[i], _sequences?.Counter(c.Name, SequenceKind.Frames));
        }).ToArray();
        var preprocessed = Channel.CreateBounded<PooledFrame>(new BoundedChannelOptions(_options.PreprocessedQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        var inferred = Channel.CreateBounded<InferredFrame>(new BoundedChannelOptions(_options.InferredQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        var publish = Channel.CreateBounded<FrameDetections>(new BoundedChannelOptions(_options.PublishQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });

        _metrics.Attach(
            captures.Select(c => c.Counters).ToArray(),
            [
                .. captures.Select(c => new PipelineMetrics.QueueProbe("capture/" + c.Camera.Name, () => c.Count, c.Capacity)),
                new PipelineMetrics.QueueProbe("preprocessed", () => preprocessed.Reader.Count, _options.PreprocessedQueueCapacity),
                new PipelineMetrics.QueueProbe("inferred", () => inferred.Reader.Count, _options.InferredQueueCapacity),
                new PipelineMetrics.QueueProbe("publish", () => publish.Reader.Count, _options.PublishQueueCapacity),
            ],
            [.. capturePools, scaledPool]);

        var run = new PipelineRun(captures, _detector.ModelName, _metrics, stopCapture, abort, _logger);
        var preprocess = new PreprocessStage(scaledPool, _detector.InputWidth, _detector.InputHeight, _logger);
        using var inference = new InferenceStage(_detector, _maxBatchSize, _options.MaxBatchWait, _logger);
        var analytics = new AnalyticsStage(_logger, _tap, _sequences);
        var publisher = new PublishStage(sink, _logger);

        LogStarted(_logger, enabled.Length, _detector.ModelName, _detector.ExecutionProvider, _maxBatchSize);
        try
        {
            var sourceTasks = sources.Select((s, i) => RunSourceAsync(s, captures[i], stopCapture.Token)).ToArray();
            var preprocessTasks = captures.Select(c => preprocess.RunAsync(c, preprocessed.Writer, run)).ToArray();
            await Task.WhenAll(
                Task.WhenAll(sourceTasks),
                CompleteAfterAsync(preprocessTasks, preprocessed.Writer),
                inference.RunAsync(preprocessed.Reader, inferred.Writer, run),
                analytics.RunAsync(inferred.Reader, publish.Writer, run),
                publisher.RunAsync(publish.Reader, run)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var capture in captures)
            {
                run.Discard(capture.Reader);
            }

            run.Discard(preprocessed.Reader);
            run.Discard(inferred.Reader);
            run.Discard(publish.Reader);
            foreach (var pool in capturePools)
            {
                pool.Dispose();
            }

            LogStopped(
                _logger,
                captures.Sum(c => c.Counters.Captured),
                captures.Sum(c => c.Counters.Processed),
                captures.Sum(c => c.Counters.Dropped),
                captures.Sum(c => c.Counters.Failed));
        }

        if (run.Fault is { } fault)
        {
            ExceptionDispatchInfo.Throw(fault);
        }
    }

    public PipelineSnapshot Snapshot() => _metrics.Snapshot();

    public void Dispose() => _metrics.Dispose();

    private async Task RunSourceAsync(IFrameSource source, CaptureChannel capture, CancellationToken cancellationToken)
    {
        try
        {
            await source.RunAsync(capture, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping capture is the normal way to end a live camera.
        }
        catch (Exception ex)
        {
            // One broken camera never stops the others.
            LogSourceFailed(_logger, ex, source.Name);
        }
        finally
        {
            capture.Complete();
        }
    }

    private static async Task CompleteAfterAsync(Task[] writers, ChannelWriter<PooledFrame> output)
    {
        try
        {
            await Task.WhenAll(writers).ConfigureAwait(false);
        }
        finally
        {
            output.TryComplete();
        }
    }

    private static void CheckOptions(PipelineOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("pipeline options are invalid: " + string.Join("; ", errors), nameof(options));
        }
    }

    private static void CheckCameras(CameraOptions[] cameras)
    {
        if (cameras.Length == 0)
        {
            throw new ArgumentException("no enabled camera to run", nameof(cameras));
        }

        var duplicate = cameras.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"camera name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique", nameof(cameras));
        }

        if (cameras.FirstOrDefault(c => string.IsNullOrWhiteSpace(c.Name) || string.IsNullOrWhiteSpace(c.Source)) is { } unnamed)
        {
            throw new ArgumentException($"camera '{unnamed.Name}' needs both a name and a source", nameof(cameras));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline started: {Cameras} cameras, model {Model} on {Provider}, batches of up to {MaxBatchSize}")]
    private static partial void LogStarted(ILogger logger, int cameras, string model, string provider, int maxBatchSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline stopped: {Captured} frames captured, {Processed} published, {Dropped} dropped, {Failed} failed")]
    private static partial void LogStopped(ILogger logger, long captured, long processed, long dropped, long failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {Camera}: source failed; the other cameras go on")]
    private static partial void LogSourceFailed(ILogger logger, Exception exception, string camera);
}
