using EdgeVision.Models;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Runs the detection pipeline for the agent's lifetime: loads the model (execution providers with
/// fallback), starts every configured camera and hands processed frames to the publisher. When every
/// camera has ended (files that do not loop) the agent stops; a pipeline fault stops it with exit code 1.
/// </summary>
internal sealed partial class PipelineService : BackgroundService
{
    private readonly EdgeVisionOptions _options;
    private readonly SequenceFile _sequences;
    private readonly AgentPaths _paths;
    private readonly RecentPublications _sink;
    private readonly PipelineStatisticsProxy _statistics;
    private readonly CameraStates _states;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<PipelineService> _logger;
    private readonly IFrameTap? _tap;

    public PipelineService(
        IOptions<EdgeVisionOptions> options,
        AgentPaths paths,
        RecentPublications sink,
        PipelineStatisticsProxy statistics,
        CameraStates states,
        ILoggerFactory loggerFactory,
        IHostApplicationLifetime lifetime,
        IEnumerable<IFrameTap> taps,
        SequenceFile sequences)
    {
        _sequences = sequences;
        // Every part that looks at processed frames (the web surface's latest images and event feed, the store).
        var all = taps.ToArray();
        _tap = all.Length == 0 ? null : new FrameTaps(all);
        _options = options.Value;
        _paths = paths;
        _sink = sink;
        _statistics = statistics;
        _states = states;
        _loggerFactory = loggerFactory;
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger<PipelineService>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave the host's start-up path at once: the model load and the cameras run in the background.
        await Task.Yield();
        try
        {
            var model = _options.Catalog(_paths).Load(_options.Model);
            _statistics.Model = model.Manifest.Name ?? _options.Model;
            var placement = CpuPlacement.Choose(CpuAffinity.Available());
            var detectorOptions = placement.Apply(_options.Detector);
            detectorOptions.MaxBatchSize = _options.Pipeline.MaxBatchSize;
            using var detector = OnnxDetector.Create(model, detectorOptions, _loggerFactory.CreateLogger<OnnxDetector>());
            var onCpu = detector.ActiveProvider == ExecutionProvider.Cpu;
            if (_options.Detector.Placement == DetectorOptions.AutoPlacement)
            {
                LogPlacement(_logger, onCpu ? placement.ToString() : $"inference on {detector.ActiveProvider}, capture not pinned");
            }

            using var pipeline = DetectionPipeline.Create(detector, _options.Pipeline, _loggerFactory, _states, _tap, _sequences);
            _statistics.Attach(pipeline);
            var cameras = _options.Cameras.Select(c => placement.Apply(Resolved(c), _options.Detector.Placement, onCpu)).ToList();
            await pipeline.RunAsync(cameras, _sink, stoppingToken).ConfigureAwait(false);

            // Stopped cleanly: the next run continues each numbering exactly where this one ended.
            _sequences.SaveExact();
            if (!stoppingToken.IsCancellationRequested)
            {
                LogAllCamerasEnded(_logger);
                _lifetime.StopApplication();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogPipelineFailed(_logger, ex.Message, ex);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    /// <summary>The camera with a relative file path resolved against the content root.</summary>
    private CameraOptions Resolved(CameraOptions camera) =>
        CameraSource.KindOf(camera.Source) == CameraSourceKind.File ? camera.WithSource(_paths.Resolve(camera.Source)) : camera;

    [LoggerMessage(Level = LogLevel.Information, Message = "placement auto: {Placement}")]
    private static partial void LogPlacement(ILogger logger, string placement);

    [LoggerMessage(Level = LogLevel.Information, Message = "every camera has ended; stopping")]
    private static partial void LogAllCamerasEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "pipeline failed: {Reason}")]
    private static partial void LogPipelineFailed(ILogger logger, string reason, Exception exception);
}
