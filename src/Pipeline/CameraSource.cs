using System.Globalization;
using EdgeVision.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace EdgeVision.Pipeline;

/// <summary>
/// A camera: opens it (<see cref="CaptureOpener"/>), reads it on a dedicated thread (<see cref="CaptureReadLoop"/>)
/// and reopens it when it fails. A watchdog on the calling task measures every open and read call: one that
/// outlasts its limit — max(2 frame intervals, 2 s) for a read, the open timeout plus 2 s for an open — is
/// abandoned, because a hung FFmpeg read can ignore its own timeout. The abandoned thread keeps its capture and
/// disposes it if the call ever returns (<see cref="AbandonedCaptures"/> counts those still blocked); a new
/// thread reopens the camera. Open and read failures reopen with capped exponential backoff; the end of a file
/// that does not loop ends the source normally.
/// </summary>
public sealed partial class CameraSource : IFrameSource
{
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(100);

    private readonly CameraOptions _camera;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly CaptureReadLoop _reader;
    private readonly AbandonedCaptures _abandoned = new();

    public CameraSource(CameraOptions camera, ILogger? logger = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentException.ThrowIfNullOrWhiteSpace(camera.Source);
        _camera = camera;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ReconnectBackoff(camera.ReconnectInitialDelay, camera.ReconnectMaxDelay, jitter);
        Kind = KindOf(camera.Source);
        _reader = new CaptureReadLoop(camera, Kind, _logger);
    }

    public string Name => _camera.Name;

    public CameraSourceKind Kind { get; }

    public bool IsLive => Kind != CameraSourceKind.File || _camera.Paced;

    /// <summary>Capture threads the watchdog gave up on whose open or read has not returned yet.</summary>
    public int AbandonedCaptures => _abandoned.Count;

    public static CameraSourceKind KindOf(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (int.TryParse(source, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || source.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return CameraSourceKind.Device;
        }

        return source.Contains("://", StringComparison.Ordinal) ? CameraSourceKind.Stream : CameraSourceKind.File;
    }

    public async Task RunAsync(CaptureChannel output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        LogStarted(_logger, Name, Kind, SourceRedaction.Redact(_camera.Source));
        var worker = StartWorker(output, TimeSpan.Zero, cancellationToken);
        try
        {
            while (!worker.Completion.IsCompleted)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    await StopAsync(worker).ConfigureAwait(false);
                    break;
                }

                await Task.WhenAny(worker.Completion, Task.Delay(WatchdogPeriod, cancellationToken)).ConfigureAwait(false);
                if (!worker.Completion.IsCompleted && worker.StalledCall() is { } stalled)
                {
                    LogStalled(_logger, Name, stalled.TotalSeconds);
                    worker.Abandon();
                    output.Counters.SetConnected(false);
                    output.Counters.RecordReconnect();
                    worker = StartWorker(output, _backoff.NextDelay(), cancellationToken);
                }
            }
        }
        finally
        {
            output.Complete();
            output.Counters.SetConnected(false);
            LogStopped(_logger, Name);
        }
    }

    private CaptureWorker StartWorker(CaptureChannel output, TimeSpan initialDelay, CancellationToken cancellationToken) =>
        CaptureWorker.Start(Name, output, initialDelay, _abandoned, RunThread, cancellationToken);

    private async Task StopAsync(CaptureWorker worker)
    {
        // The thread sees the cancellation as soon as its current call returns; a call that hangs past its
        // limit is abandoned so that shutdown never waits on FFmpeg.
        var limit = worker.CurrentCallLimit() ?? TimeSpan.Zero;
        await Task.WhenAny(worker.Completion, Task.Delay(limit + WatchdogPeriod)).ConfigureAwait(false);
        if (!worker.Completion.IsCompleted)
        {
            LogAbandonedAtShutdown(_logger, Name);
            worker.Abandon();
        }
    }

    private void RunThread(CaptureWorker worker)
    {
        BackgroundThreadPriority.Lower(_camera.CaptureNice);
        if (_camera.CaptureCpus is { Length: > 0 } cpus && !CpuAffinity.TryPin(cpus))
        {
            LogNotPinned(_logger, Name, string.Join(", ", cpus));
        }

        try
        {
            ReadLoop(worker);
        }
        catch (Exception ex)
        {
            // A bug in one camera's thread must not take the process or the other cameras with it.
            // The exception's text may quote the camera URL, so it is logged redacted rather than as an object.
            LogThreadFailed(_logger, Name, SourceRedaction.Scrub(ex.ToString(), _camera.Source));
        }
    }

    /// <summary>The capture thread: opens, reads, reopens; returns when the source ends, is cancelled or abandoned.</summary>
    private void ReadLoop(CaptureWorker worker)
    {
        var output = worker.Output;
        var token = worker.Token;
        var delay = worker.InitialDelay;
        var retrying = false;
        long frameIndex = 0;
        while (true)
        {
            if (delay > TimeSpan.Zero && token.WaitHandle.WaitOne(delay))
            {
                return;
            }

            if (token.IsCancellationRequested)
            {
                return;
            }

            if (retrying)
            {
                output.Counters.RecordReconnect();
            }

            worker.BeginCall(_camera.OpenTimeout + CaptureReadLoop.MinimumStallLimit);
            IVideoReader? capture;
            try
            {
                capture = CaptureOpener.Open(_camera, Kind, _logger);
            }
            finally
            {
                worker.EndCall();
            }

            if (worker.IsAbandoned)
            {
                capture?.Dispose();
                return;
            }

            if (capture is null)
            {
                output.Counters.SetConnected(false);
                delay = _backoff.NextDelay();
                retrying = true;
                LogOpenFailed(_logger, Name, _backoff.Failures, (long)delay.TotalMilliseconds);
                continue;
            }

            CaptureReadResult result;
            using (capture)
            {
                result = _reader.Run(worker, capture, ref frameIndex, _backoff.Reset);
            }

            switch (result)
            {
                case CaptureReadResult.Ended:
                    LogEnded(_logger, Name, frameIndex);
                    return;
                case CaptureReadResult.Stopped:
                    return;
                case CaptureReadResult.Rewind:
                    delay = TimeSpan.Zero;
                    retrying = false;
                    break;
                default:
                    delay = _backoff.NextDelay();
                    retrying = true;
                    LogReadFailed(_logger, Name, (long)delay.TotalMilliseconds);
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: capture started ({Kind} {Source})")]
    private static partial void LogStarted(ILogger logger, string camera, CameraSourceKind kind, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: capture stopped")]
    private static partial void LogStopped(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: end of file after {Frames} frames")]
    private static partial void LogEnded(ILogger logger, string camera, long frames);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: cannot open (attempt {Attempt}); retrying in {DelayMs} ms")]
    private static partial void LogOpenFailed(ILogger logger, string camera, int attempt, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: read failed; reopening in {DelayMs} ms")]
    private static partial void LogReadFailed(ILogger logger, string camera, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: no frame for {Seconds:0.0} s; abandoning the capture and reopening")]
    private static partial void LogStalled(ILogger logger, string camera, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: capture call still blocked at shutdown; abandoned")]
    private static partial void LogAbandonedAtShutdown(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: cannot move the capture thread onto CPUs {Cpus}; it runs wherever the kernel puts it")]
    private static partial void LogNotPinned(ILogger logger, string camera, string cpus);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {Camera}: capture thread failed: {Exception}")]
    private static partial void LogThreadFailed(ILogger logger, string camera, string exception);
}
