using System.Diagnostics;
using System.Numerics;
using System.Threading.Channels;
using EdgeVision.Models;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// Letterbox geometry for one camera: scales each captured frame to its letterbox size into a pooled,
/// much smaller buffer (a 768×576 frame becomes 416×312 for a 416 model) and records the transform from
/// the source size. The capture buffer goes back to its pool at once. Normalizing into the batch tensor is
/// left to the inference thread, because the tensor belongs to the detector and is only safe to write
/// between its runs; the scaling, which costs most, runs here in parallel with inference.
/// </summary>
internal sealed class PreprocessStage
{
    private readonly FramePool _scaledFrames;
    private readonly int _networkWidth;
    private readonly int _networkHeight;
    private readonly ILogger _logger;

    public PreprocessStage(FramePool scaledFrames, int networkWidth, int networkHeight, ILogger logger)
    {
        _scaledFrames = scaledFrames;
        _networkWidth = networkWidth;
        _networkHeight = networkHeight;
        _logger = logger;
    }

    /// <summary>Runs until the camera's queue completes; leaves <paramref name="output"/> open (every camera writes to it).</summary>
    public async Task RunAsync(CaptureChannel input, ChannelWriter<PooledFrame> output, PipelineRun run)
    {
        var stage = "preprocess " + input.Camera.Name;
        PipelineLog.StageStarted(_logger, stage);
        try
        {
            // Tracking cameras cut snapshots from the full frame, so it travels on with the scaled one.
            var keepSource = input.Camera.Analytics.Mode == Analytics.CameraAnalyticsOptions.TrackMode;
            await foreach (var frame in input.Reader.ReadAllAsync(run.Abort).ConfigureAwait(false))
            {
                var scaled = Letterbox(frame, keepSource, input.Counters, run.Metrics);
                if (scaled is null)
                {
                    continue;
                }

                try
                {
                    await output.WriteAsync(scaled, run.Abort).ConfigureAwait(false);
                }
                catch
                {
                    input.Counters.RecordFailed();
                    scaled.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (run.Abort.IsCancellationRequested)
        {
            // Aborted: the pipeline discards and counts what is left in the queue.
        }
        catch (Exception ex)
        {
            run.ReportFault(stage, ex);
        }
        finally
        {
            PipelineLog.StageStopped(_logger, stage);
        }
    }

    /// <summary>
    /// Takes ownership of <paramref name="frame"/>; returns the scaled frame (owning the full one as its
    /// <see cref="PooledFrame.Source"/> when <paramref name="keepSource"/>), or null when the frame is unusable.
    /// </summary>
    private PooledFrame? Letterbox(PooledFrame frame, bool keepSource, CameraCounters counters, PipelineMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var handedOver = false;
        var scaled = _scaledFrames.Rent();
        try
        {
            var image = frame.Image;
            var transform = LetterboxTransform.For(image.Width, image.Height, _networkWidth, _networkHeight);
            Cv2.Resize(image, scaled.Image, new Size(transform.ScaledWidth, transform.ScaledHeight), 0, 0, InterpolationFlags.Linear);
            scaled.Info = frame.Info;
            scaled.Transform = transform;
            if (keepSource)
            {
                scaled.Source = frame;
                handedOver = true;
            }

            metrics.RecordPreprocess(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return scaled;
        }
        catch (Exception ex) when (ex is OpenCVException or ArgumentException)
        {
            scaled.Dispose();
            counters.RecordFailed();
            var failures = counters.Failed;
            if (BitOperations.IsPow2(failures))
            {
                PipelineLog.FrameFailed(_logger, counters.Name, frame.Info.Sequence, failures, ex.Message);
            }

            return null;
        }
        finally
        {
            if (!handedOver)
            {
                frame.Dispose();
            }
        }
    }
}
