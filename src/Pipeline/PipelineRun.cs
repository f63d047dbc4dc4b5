using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeVision.Pipeline;

/// <summary>
/// State shared by the stages of one <see cref="DetectionPipeline.RunAsync"/> call: the cameras, the token
/// that aborts the drain, and the first stage fault, which stops everything.
/// </summary>
internal sealed class PipelineRun
{
    private readonly CancellationTokenSource _stopCapture;
    private readonly CancellationTokenSource _abort;
    private readonly Dictionary<string, int> _cameraIndex;
    private readonly ILogger _logger;
    private Exception? _fault;

    public PipelineRun(
        CaptureChannel[] cameras,
        string model,
        PipelineMetrics metrics,
        CancellationTokenSource stopCapture,
        CancellationTokenSource abort,
        ILogger logger)
    {
        Cameras = cameras;
        Model = model;
        Metrics = metrics;
        _stopCapture = stopCapture;
        _abort = abort;
        _logger = logger;
        _cameraIndex = cameras.ToDictionary(c => c.Camera.Name, c => c.CameraIndex, StringComparer.Ordinal);
    }

    public IReadOnlyList<CaptureChannel> Cameras { get; }

    public string Model { get; }

    public PipelineMetrics Metrics { get; }

    /// <summary>Cancelled when the drain outlasts its timeout or a stage fails; stages stop mid-frame then.</summary>
    public CancellationToken Abort => _abort.Token;

    public Exception? Fault => Volatile.Read(ref _fault);

    public CameraCounters CountersOf(int cameraIndex) => Cameras[cameraIndex].Counters;

    public CameraCounters CountersOf(string camera) => Cameras[_cameraIndex[camera]].Counters;

    public int IndexOf(string camera) => _cameraIndex[camera];

    /// <summary>A stage loop died: log it once, stop capture and abort the drain.</summary>
    public void ReportFault(string stage, Exception exception)
    {
        // A fault reaches the stages below through their channel's completion; report only the first sighting.
        if (Interlocked.CompareExchange(ref _fault, exception, null) is not null)
        {
            return;
        }

        PipelineLog.StageFailed(_logger, exception, stage);
        _stopCapture.Cancel();
        _abort.Cancel();
    }

    /// <summary>Empties a queue after its stages have stopped, returning buffers and counting the frames as failed.</summary>
    public void Discard(ChannelReader<PooledFrame> reader)
    {
        while (reader.TryRead(out var frame))
        {
            if (frame.CountsAsFrame)
            {
                CountersOf(frame.Info.CameraIndex).RecordFailed();
            }

            frame.Dispose();
        }
    }

    public void Discard(ChannelReader<InferredFrame> reader)
    {
        while (reader.TryRead(out var frame))
        {
            CountersOf(frame.Info.CameraIndex).RecordFailed();
            frame.Image.Dispose();
        }
    }

    public void Discard(ChannelReader<FrameDetections> reader)
    {
        while (reader.TryRead(out var frame))
        {
            CountersOf(frame.Camera).RecordFailed();
        }
    }
}
