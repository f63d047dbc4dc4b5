using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeVision.Pipeline;

/// <summary>
/// Hands each frame to the <see cref="IDetectionSink"/>, one at a time, so a slow sink backs up into the
/// bounded publish queue. A transient failure (I/O, timeout, socket) is retried with backoff; a frame
/// the sink still refuses is counted as failed and the loop goes on, so one bad frame never stops capture.
/// </summary>
internal sealed class PublishStage
{
    private const string StageName = "publish";
    private const int MaxAttempts = 3;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly IDetectionSink _sink;
    private readonly ILogger _logger;

    public PublishStage(IDetectionSink sink, ILogger logger)
    {
        _sink = sink;
        _logger = logger;
    }

    public async Task RunAsync(ChannelReader<FrameDetections> input, PipelineRun run)
    {
        PipelineLog.StageStarted(_logger, StageName);
        try
        {
            await foreach (var frame in input.ReadAllAsync(run.Abort).ConfigureAwait(false))
            {
                var cameraIndex = run.IndexOf(frame.Camera);
                var counters = run.CountersOf(cameraIndex);
                var started = Stopwatch.GetTimestamp();
                bool published;
                try
                {
                    published = await PublishAsync(frame, run.Abort).ConfigureAwait(false);
                }
                catch
                {
                    counters.RecordFailed();
                    throw;
                }

                if (published)
                {
                    var publishMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var endToEndMs = Stopwatch.GetElapsedTime(frame.CaptureTimestamp).TotalMilliseconds;
                    run.Metrics.RecordPublished(cameraIndex, publishMs, endToEndMs);
                    counters.RecordProcessed();
                }
                else
                {
                    counters.RecordFailed();
                }
            }
        }
        catch (OperationCanceledException) when (run.Abort.IsCancellationRequested)
        {
            // Aborted: the pipeline discards and counts what is left in the queue.
        }
        catch (Exception ex)
        {
            run.ReportFault(StageName, ex);
        }
        finally
        {
            PipelineLog.StageStopped(_logger, StageName);
        }
    }

    /// <summary>True once the sink accepted the frame; false when it refused it for good.</summary>
    private async ValueTask<bool> PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        var backoff = ReconnectBackoff.Exact(FirstRetryDelay, FirstRetryDelay * (1 << MaxAttempts));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _sink.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The frame was in the sink's hands when the drain ran out of time.
                throw;
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < MaxAttempts)
            {
                var delay = backoff.NextDelay();
                PipelineLog.PublishRetry(_logger, frame.Camera, frame.Sequence, attempt, (int)delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                PipelineLog.PublishFailed(_logger, ex, frame.Camera, frame.Sequence);
                return false;
            }
        }
    }

    private static bool IsTransient(Exception exception) =>
        exception is IOException or TimeoutException or SocketException;
}
