using Microsoft.Extensions.Logging;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace EdgeVision.Pipeline;

/// <summary>How reading one open capture ended.</summary>
internal enum CaptureReadResult
{
    /// <summary>A file that does not loop reached its end.</summary>
    Ended,

    /// <summary>A looping file reached its end: reopen at once.</summary>
    Rewind,

    /// <summary>A read failed or the decoder gave up: reopen after the backoff.</summary>
    Failed,

    /// <summary>The source was stopped, or the worker abandoned.</summary>
    Stopped,
}

/// <summary>
/// Reads frames from one open capture into the camera's channel until it ends, fails or is stopped: each
/// read under the watchdog's limit (max(2 frame intervals, 2 s), the first read longer by the read timeout),
/// each frame stamped with its stream time (media time for an unpaced file, its release point for a paced
/// one, its arrival for a live source) and marked online only once frames really flow.
/// </summary>
internal sealed partial class CaptureReadLoop(CameraOptions camera, CameraSourceKind kind, ILogger logger)
{
    /// <summary>The shortest time a read (or, added to the open timeout, an open) may block before the watchdog abandons it.</summary>
    public static readonly TimeSpan MinimumStallLimit = TimeSpan.FromSeconds(2);

    // A decoder that hands out this many empty frames in a row is not going to recover without a reopen.
    private const int MaxConsecutiveEmptyReads = 25;

    // Streams often report no frame rate before the first frames; 25 fps is the common camera default.
    private const double FallbackFps = 25;

    /// <summary>
    /// Reads until the capture ends; <paramref name="frameIndex"/> counts frames across reopens (a looping
    /// file's media time goes on), and <paramref name="firstFrame"/> runs when this capture's first frame arrives.
    /// </summary>
    public CaptureReadResult Run(CaptureWorker worker, IVideoReader capture, ref long frameIndex, Action firstFrame)
    {
        var output = worker.Output;
        var counters = output.Counters;
        var token = worker.Token;
        var isFile = kind == CameraSourceKind.File;
        var fps = isFile && camera.Paced && camera.PaceFps is > 0 and var pace
            ? pace
            : capture.Fps is > 0 and < 1000 and var reported ? reported : FallbackFps;
        var frameInterval = TimeSpan.FromSeconds(1 / fps);

        // A paced file starts on its detect-rate grid when it detects at a lower rate than it plays (so the
        // frames due for detection are the ones released on that grid), else on its frame grid.
        var detectInterval = DetectRateGate.IntervalOf(camera.DetectFps);
        var pacing = isFile && camera.Paced
            ? new PacedRelease(output.Clock, frameInterval, detectInterval > frameInterval ? detectInterval : frameInterval)
            : null;
        var readLimit = TimeSpan.FromTicks(Math.Max(2 * frameInterval.Ticks, MinimumStallLimit.Ticks));
        var firstReadLimit = readLimit + camera.ReadTimeout;
        var declaredFrames = isFile ? Math.Max(0, capture.FrameCount) : 0;
        long reads = 0;
        var emptyRun = 0;

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
                return CaptureReadResult.Stopped;
            }

            if (!ok)
            {
                frame.Dispose();
                MarkOfflineUnlessRewinding(counters, isFile);

                if (!isFile)
                {
                    return CaptureReadResult.Failed;
                }

                // A damaged file loses frames inside the decoder without any failed read; the container's
                // frame count is the only witness, so the shortfall at the end is what gets counted.
                if (declaredFrames > reads)
                {
                    counters.RecordCorrupt(declaredFrames - reads);
                    LogShortFile(logger, camera.Name, declaredFrames - reads, declaredFrames);
                }

                return camera.Loop ? CaptureReadResult.Rewind : CaptureReadResult.Ended;
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
                return isFile ? (camera.Loop ? CaptureReadResult.Rewind : CaptureReadResult.Ended) : CaptureReadResult.Failed;
            }

            emptyRun = 0;
            if (reads == 1)
            {
                firstFrame();
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
            if (pacing is not null)
            {
                timestamp = pacing.Next();
                var wait = timestamp - output.Clock.Now;
                if (wait > TimeSpan.Zero && token.WaitHandle.WaitOne(wait))
                {
                    frame.Dispose();
                    return CaptureReadResult.Stopped;
                }

                pacing.Released();
            }
            else
            {
                timestamp = isFile ? mediaTime : output.Clock.Now;
            }

            if (output.Write(frame, timestamp, token) == CaptureOutcome.Closed)
            {
                return CaptureReadResult.Stopped;
            }
        }

        return CaptureReadResult.Stopped;
    }

    /// <summary>A looped file that rewinds stays online; anything else is offline until frames flow again.</summary>
    private void MarkOfflineUnlessRewinding(CameraCounters counters, bool isFile)
    {
        if (!isFile || !camera.Loop)
        {
            counters.SetConnected(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: file ended {Missing} frames short of the {Declared} it declares; counted as corrupt")]
    private static partial void LogShortFile(ILogger logger, string camera, long missing, long declared);
}
