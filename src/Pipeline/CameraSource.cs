using System.Diagnostics;
using System.Globalization;
using EdgeVision.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace EdgeVision.Pipeline;

/// <summary>What a camera's <see cref="CameraOptions.Source"/> names.</summary>
public enum CameraSourceKind
{
    /// <summary>A video file, read with FFmpeg.</summary>
    File,

    /// <summary>An rtsp:// or http(s):// URL, read with FFmpeg.</summary>
    Stream,

    /// <summary>A V4L2 device, by index ("0") or path (/dev/video0).</summary>
    Device,
}

/// <summary>
/// A camera: files through OpenCV's FFmpeg backend with open and read timeouts, devices through V4L2 (FFmpeg's
/// backend in OpenCV does not open devices), rtsp:// and http(s):// URLs through an ffmpeg child process
/// (<see cref="FfmpegStreamReader"/>: OpenCV's bundled FFmpeg has no network support).
/// The blocking reads run on a dedicated thread. A watchdog on the calling task measures every open and read
/// call: one that outlasts its limit — max(2 frame intervals, 2 s) for a read, the open timeout plus 2 s for an
/// open — is abandoned, because a hung FFmpeg read can ignore its own timeout. The abandoned thread keeps its
/// capture and disposes it if the call ever returns; a new thread reopens the camera. Open and read failures
/// reopen with capped exponential backoff; the end of a file that does not loop ends the source normally.
/// </summary>
public sealed partial class CameraSource : IFrameSource
{
    // OpenCV's CAP_PROP_OPEN_TIMEOUT_MSEC and CAP_PROP_READ_TIMEOUT_MSEC (videoio.hpp); OpenCvSharp's enum stops before them.
    private const int OpenTimeoutProperty = 53;
    private const int ReadTimeoutProperty = 54;

    // CAP_PROP_N_THREADS (videoio.hpp, open-only): decoder threads for the FFmpeg backend.
    private const int DecodeThreadsProperty = 70;

    // A decoder that hands out this many empty frames in a row is not going to recover without a reopen.
    private const int MaxConsecutiveEmptyReads = 25;

    // Streams often report no frame rate before the first frames; 25 fps is the common camera default.
    private const double FallbackFps = 25;

    private static readonly TimeSpan MinimumStallLimit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(100);

    // A paced file that fell this far behind its clock (a slow disk, a paused process) restarts the clock
    // rather than bursting through the frames it owes.
    private static readonly TimeSpan MaxPacingLag = TimeSpan.FromSeconds(1);

    private readonly CameraOptions _camera;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;

    public CameraSource(CameraOptions camera, ILogger? logger = null, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentException.ThrowIfNullOrWhiteSpace(camera.Source);
        _camera = camera;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ReconnectBackoff(camera.ReconnectInitialDelay, camera.ReconnectMaxDelay, jitter);
        Kind = KindOf(camera.Source);
    }

    public string Name => _camera.Name;

    public CameraSourceKind Kind { get; }

    public bool IsLive => Kind != CameraSourceKind.File || _camera.Paced;

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
        var worker = CaptureWorker.Start(this, output, TimeSpan.Zero, cancellationToken);
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
                    worker = CaptureWorker.Start(this, output, _backoff.NextDelay(), cancellationToken);
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

            var capture = Open(worker);
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

            ReadResult result;
            using (capture)
            {
                result = ReadFrames(worker, capture, ref frameIndex);
            }

            switch (result)
            {
                case ReadResult.Ended:
                    LogEnded(_logger, Name, frameIndex);
                    return;
                case ReadResult.Stopped:
                    return;
                case ReadResult.Rewind:
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

    private int[] FfmpegOpenParameters() =>
    [
        OpenTimeoutProperty, Milliseconds(_camera.OpenTimeout),
        ReadTimeoutProperty, Milliseconds(_camera.ReadTimeout),
        .. _camera.DecodeThreads > 0 ? [DecodeThreadsProperty, _camera.DecodeThreads] : Array.Empty<int>(),
    ];

    private IVideoReader? Open(CaptureWorker worker)
    {
        worker.BeginCall(_camera.OpenTimeout + MinimumStallLimit);
        VideoCapture? capture = null;
        try
        {
            if (Kind == CameraSourceKind.Stream)
            {
                return FfmpegStreamReader.Open(_camera.Source, _camera.ReadTimeout, _camera.DecodeThreads);
            }

            capture = Kind switch
            {
                CameraSourceKind.Device when int.TryParse(_camera.Source, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    => new VideoCapture(index, VideoCaptureAPIs.V4L2),
                CameraSourceKind.Device => new VideoCapture(_camera.Source, VideoCaptureAPIs.V4L2),
                _ => new VideoCapture(_camera.Source, VideoCaptureAPIs.FFMPEG, FfmpegOpenParameters()),
            };
            if (capture.IsOpened())
            {
                return new OpenCvVideoReader(capture);
            }
        }
        catch (Exception ex) when (ex is OpenCVException or InvalidOperationException)
        {
            LogOpenError(_logger, Name, SourceRedaction.Scrub(ex.Message, _camera.Source));
        }
        finally
        {
            worker.EndCall();
        }

        capture?.Dispose();
        return null;
    }

    private ReadResult ReadFrames(CaptureWorker worker, IVideoReader capture, ref long frameIndex)
    {
        var output = worker.Output;
        var counters = output.Counters;
        var token = worker.Token;
        var isFile = Kind == CameraSourceKind.File;
        var fps = isFile && _camera.Paced && _camera.PaceFps is > 0 and var pace
            ? pace
            : capture.Fps is > 0 and < 1000 and var reported ? reported : FallbackFps;
        var frameInterval = TimeSpan.FromSeconds(1 / fps);

        // A paced file starts on its detect-rate grid when it detects at a lower rate than it plays (so the
        // frames due for detection are the ones released on that grid), else on its frame grid.
        var detectInterval = DetectRateGate.IntervalOf(_camera.DetectFps);
        var pacingGrid = detectInterval > frameInterval ? detectInterval : frameInterval;
        var readLimit = TimeSpan.FromTicks(Math.Max(2 * frameInterval.Ticks, MinimumStallLimit.Ticks));
        var firstReadLimit = readLimit + _camera.ReadTimeout;
        var declaredFrames = isFile ? Math.Max(0, capture.FrameCount) : 0;
        long reads = 0;
        var emptyRun = 0;
        var clock = output.Clock;
        var pacingOrigin = TimeSpan.Zero;
        long pacedFrames = 0;

        while (!token.IsCancellationRequested)
        {
            var frame = output.Rent();
            bool ok;
            worker.BeginCall(reads == 0 ? firstReadLimit : readLimit);
            try
            {
                ok = capture.Read(frame.Image);
            }
            catch (OpenCVException)
            {
                ok = false;
            }
            finally
            {
                worker.EndCall();
            }

            if (worker.IsAbandoned || token.IsCancellationRequested)
            {
                frame.Dispose();
                return ReadResult.Stopped;
            }

            if (!ok)
            {
                frame.Dispose();
                MarkOfflineUnlessRewinding(counters, isFile);

                if (!isFile)
                {
                    return ReadResult.Failed;
                }

                // A damaged file loses frames inside the decoder without any failed read; the container's
                // frame count is the only witness, so the shortfall at the end is what gets counted.
                if (declaredFrames > reads)
                {
                    counters.RecordCorrupt(declaredFrames - reads);
                    LogShortFile(_logger, Name, declaredFrames - reads, declaredFrames);
                }

                return _camera.Loop ? ReadResult.Rewind : ReadResult.Ended;
            }

            reads++;
            if (frame.Image.Empty())
            {
                frame.Dispose();
                counters.RecordCorrupt();
                if (++emptyRun < MaxConsecutiveEmptyReads)
                {
                    continue;
                }

                MarkOfflineUnlessRewinding(counters, isFile);
                return isFile ? (_camera.Loop ? ReadResult.Rewind : ReadResult.Ended) : ReadResult.Failed;
            }

            emptyRun = 0;
            if (reads == 1)
            {
                _backoff.Reset();
            }

            // Online means frames flow, not merely that the open succeeded: an RTSP server can accept the
            // session and then send nothing.
            if (!counters.Connected)
            {
                counters.SetConnected(true);
            }

            var mediaTime = TimeSpan.FromTicks((long)Math.Round(frameIndex * TimeSpan.TicksPerSecond / fps));
            frameIndex++;

            // An unpaced file is gated on media time, a paced one on the time it is released at, a live
            // source on the time its frame arrived, both from the epoch shared with the pipeline's other cameras.
            TimeSpan timestamp;
            if (isFile && _camera.Paced)
            {
                // Released on the camera's grid, (k + phase) × interval from the shared epoch, so that paced
                // cameras of one pipeline take turns instead of arriving together.
                timestamp = pacingOrigin + (frameInterval * pacedFrames);
                if (pacedFrames == 0 || timestamp - clock.Now < -MaxPacingLag)
                {
                    pacingOrigin = clock.GridPointFrom(clock.Now, pacingGrid);
                    pacedFrames = 0;
                    timestamp = pacingOrigin;
                }

                var wait = timestamp - clock.Now;
                if (wait > TimeSpan.Zero && token.WaitHandle.WaitOne(wait))
                {
                    frame.Dispose();
                    return ReadResult.Stopped;
                }

                pacedFrames++;
            }
            else
            {
                timestamp = isFile ? mediaTime : clock.Now;
            }

            if (output.Write(frame, timestamp, token) == CaptureOutcome.Closed)
            {
                return ReadResult.Stopped;
            }
        }

        return ReadResult.Stopped;
    }

    /// <summary>A looped file that rewinds stays online; anything else is offline until frames flow again.</summary>
    private void MarkOfflineUnlessRewinding(CameraCounters counters, bool isFile)
    {
        if (!isFile || !_camera.Loop)
        {
            counters.SetConnected(false);
        }
    }

    private static int Milliseconds(TimeSpan duration) => (int)Math.Clamp(duration.TotalMilliseconds, 1, int.MaxValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: capture started ({Kind} {Source})")]
    private static partial void LogStarted(ILogger logger, string camera, CameraSourceKind kind, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: capture stopped")]
    private static partial void LogStopped(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: end of file after {Frames} frames")]
    private static partial void LogEnded(ILogger logger, string camera, long frames);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: cannot open (attempt {Attempt}); retrying in {DelayMs} ms")]
    private static partial void LogOpenFailed(ILogger logger, string camera, int attempt, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: cannot open it: {Reason}")]
    private static partial void LogOpenError(ILogger logger, string camera, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: read failed; reopening in {DelayMs} ms")]
    private static partial void LogReadFailed(ILogger logger, string camera, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: no frame for {Seconds:0.0} s; abandoning the capture and reopening")]
    private static partial void LogStalled(ILogger logger, string camera, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: capture call still blocked at shutdown; abandoned")]
    private static partial void LogAbandonedAtShutdown(ILogger logger, string camera);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: file ended {Missing} frames short of the {Declared} it declares; counted as corrupt")]
    private static partial void LogShortFile(ILogger logger, string camera, long missing, long declared);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: cannot move the capture thread onto CPUs {Cpus}; it runs wherever the kernel puts it")]
    private static partial void LogNotPinned(ILogger logger, string camera, string cpus);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {Camera}: capture thread failed: {Exception}")]
    private static partial void LogThreadFailed(ILogger logger, string camera, string exception);

    private enum ReadResult
    {
        Ended,
        Rewind,
        Failed,
        Stopped,
    }

    /// <summary>One capture thread and the state the watchdog reads from it.</summary>
    private sealed class CaptureWorker
    {
        private readonly CameraSource _source;
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Not disposed: an abandoned thread may still wait on it. One is made per stall, which is rare.
        private readonly CancellationTokenSource _cancellation;
        private long _callStartedAt;
        private long _callLimitTicks;
        private volatile bool _abandoned;

        private CaptureWorker(CameraSource source, CaptureChannel output, TimeSpan initialDelay, CancellationToken cancellationToken)
        {
            _source = source;
            Output = output;
            InitialDelay = initialDelay;
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        public CaptureChannel Output { get; }

        public TimeSpan InitialDelay { get; }

        public CancellationToken Token => _cancellation.Token;

        public bool IsAbandoned => _abandoned;

        public Task Completion => _completion.Task;

        public static CaptureWorker Start(CameraSource source, CaptureChannel output, TimeSpan initialDelay, CancellationToken cancellationToken)
        {
            var worker = new CaptureWorker(source, output, initialDelay, cancellationToken);
            var thread = new Thread(worker.Run)
            {
                IsBackground = true,
                Name = "capture " + source.Name,
            };
            thread.Start();
            return worker;
        }

        public void BeginCall(TimeSpan limit)
        {
            Volatile.Write(ref _callLimitTicks, limit.Ticks);
            Volatile.Write(ref _callStartedAt, Stopwatch.GetTimestamp());
        }

        public void EndCall() => Volatile.Write(ref _callStartedAt, 0);

        /// <summary>How long the current open or read has been blocked, if that is past its limit.</summary>
        public TimeSpan? StalledCall()
        {
            var started = Volatile.Read(ref _callStartedAt);
            if (started == 0)
            {
                return null;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            return elapsed.Ticks > Volatile.Read(ref _callLimitTicks) ? elapsed : null;
        }

        public TimeSpan? CurrentCallLimit() =>
            Volatile.Read(ref _callStartedAt) == 0 ? null : TimeSpan.FromTicks(Volatile.Read(ref _callLimitTicks));

        public void Abandon()
        {
            _abandoned = true;
            _cancellation.Cancel();
            _completion.TrySetResult();
        }

        private void Run()
        {
            BackgroundThreadPriority.Lower(_source._camera.CaptureNice);
            if (_source._camera.CaptureCpus is { Length: > 0 } cpus && !CpuAffinity.TryPin(cpus))
            {
                LogNotPinned(_source._logger, _source.Name, string.Join(", ", cpus));
            }

            try
            {
                _source.ReadLoop(this);
            }
            catch (Exception ex)
            {
                // A bug in one camera's thread must not take the process or the other cameras with it.
                // The exception's text may quote the camera URL, so it is logged redacted rather than as an object.
                LogThreadFailed(_source._logger, _source.Name, SourceRedaction.Scrub(ex.ToString(), _source._camera.Source));
            }
            finally
            {
                _completion.TrySetResult();
            }
        }
    }
}
