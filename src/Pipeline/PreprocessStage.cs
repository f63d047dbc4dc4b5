using System.Diagnostics;
using System.Numerics;
using System.Threading.Channels;
using EdgeVision.Models;
using EdgeVision.Pipeline.Motion;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// One camera's frames on their way to the detector. First the camera's <see cref="DetectionGate"/> looks for
/// motion on a small grey copy and decides whether the detector runs at all, and for a large frame where. A
/// frame it skips goes back to its pool, counted. A frame detected whole is scaled to its letterbox size into a
/// pooled, much smaller buffer (a 768×576 frame becomes 416×312 for a 416 model); a frame detected in regions
/// becomes one model-size crop per region, cut from the full-resolution frame, handed on one after another.
/// Normalizing into the batch tensor is left to the inference thread, because the tensor belongs to the detector
/// and is only safe to write between its runs; the scaling, which costs most, runs here in parallel with inference.
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
        var gate = new DetectionGate(input.Camera.Motion, _networkWidth, _networkHeight);
        var regions = new List<Rect>(capacity: 16);
        var batch = new List<PooledFrame>(capacity: 16);
        var checkedSize = false;
        TimeSpan? lastSkipped = null;
        try
        {
            // Tracking cameras cut snapshots from the full frame, so it travels on with the scaled one.
            var keepSource = input.Camera.Analytics.Mode == Analytics.CameraAnalyticsOptions.TrackMode;
            await foreach (var frame in input.Reader.ReadAllAsync(run.Abort).ConfigureAwait(false))
            {
                if (!checkedSize && gate.Enabled)
                {
                    checkedSize = true;
                    ReportFrameProblems(input, frame.Image.Width, frame.Image.Height);
                }

                var decision = Gate(gate, frame, input, run.Metrics, regions);
                if (decision is null)
                {
                    continue;
                }

                if (decision == GateDecision.Skip)
                {
                    lastSkipped = frame.StreamTime;
                    input.Counters.RecordMotionSkipped();
                    frame.Dispose();
                    continue;
                }

                frame.HeldUntil = lastSkipped;
                lastSkipped = null;
                batch.Clear();
                if (decision == GateDecision.Whole)
                {
                    if (Letterbox(frame, keepSource, input.Counters, run.Metrics) is { } scaled)
                    {
                        batch.Add(scaled);
                    }
                }
                else
                {
                    Crop(frame, regions, input.Counters, run.Metrics, batch);
                }

                if (batch.Count > 0)
                {
                    input.Counters.RecordDetected(decision == GateDecision.Regions ? batch.Count : 0);
                }

                await WriteAllAsync(batch, output, input.Counters, run).ConfigureAwait(false);
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

    private static async Task WriteAllAsync(List<PooledFrame> batch, ChannelWriter<PooledFrame> output, CameraCounters counters, PipelineRun run)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                await output.WriteAsync(batch[i], run.Abort).ConfigureAwait(false);
            }
            catch
            {
                // The crops already written are the pipeline's now; the rest are returned here. The frame counts
                // as failed once: here if its first crop was not handed on, else where that crop ends.
                if (i == 0)
                {
                    counters.RecordFailed();
                }

                for (var rest = i; rest < batch.Count; rest++)
                {
                    batch[rest].Dispose();
                }

                batch.Clear();
                throw;
            }
        }

        batch.Clear();
    }

    /// <summary>The gate's decision, timed as the motion stage; null when the frame could not be looked at (it is then counted and returned).</summary>
    private GateDecision? Gate(DetectionGate gate, PooledFrame frame, CaptureChannel input, PipelineMetrics metrics, List<Rect> regions)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var decision = gate.Decide(frame.Image, frame.StreamTime, frame.Info.CaptureTimestamp, input.Activity.Latest, regions);
            if (gate.Enabled)
            {
                metrics.RecordMotion(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                input.Counters.RecordMotion(gate.LastMotion == MotionState.Moving, frame.StreamTime);
            }

            return decision;
        }
        catch (Exception ex) when (ex is OpenCVException or ArgumentException)
        {
            Fail(frame, input.Counters, ex);
            frame.Dispose();
            return null;
        }
    }

    private void ReportFrameProblems(CaptureChannel input, int width, int height)
    {
        foreach (var problem in MotionOptionsValidator.ValidateForFrame(input.Camera.Motion, $"Cameras:{input.CameraIndex}:Motion", width, height))
        {
            PipelineLog.MotionSettingProblem(_logger, input.Camera.Name, problem);
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
            scaled.StreamTime = frame.StreamTime;
            scaled.HeldUntil = frame.HeldUntil;
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
            Fail(frame, counters, ex);
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

    /// <summary>
    /// Takes ownership of <paramref name="frame"/>: one crop per region, each scaled to the model's input, into
    /// <paramref name="crops"/>; the first owns the full frame, which analytics reads at full resolution.
    /// </summary>
    private void Crop(PooledFrame frame, List<Rect> regions, CameraCounters counters, PipelineMetrics metrics, List<PooledFrame> crops)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < regions.Count; i++)
            {
                var region = regions[i];
                var crop = _scaledFrames.Rent();
                crops.Add(crop);
                var transform = LetterboxTransform.For(region.Width, region.Height, _networkWidth, _networkHeight);
                using (var roi = new Mat(frame.Image, region))
                {
                    var interpolation = transform.Scale < 1f ? InterpolationFlags.Area : InterpolationFlags.Linear;
                    Cv2.Resize(roi, crop.Image, new Size(transform.ScaledWidth, transform.ScaledHeight), 0, 0, interpolation);
                }

                crop.Info = frame.Info;
                crop.Transform = transform;
                crop.Region = region;
                crop.RegionIndex = i;
                crop.RegionCount = regions.Count;
                crop.StreamTime = frame.StreamTime;
                crop.HeldUntil = frame.HeldUntil;
            }

            crops[0].Source = frame;
            metrics.RecordPreprocess(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is OpenCVException or ArgumentException)
        {
            foreach (var crop in crops)
            {
                crop.Dispose();
            }

            crops.Clear();
            Fail(frame, counters, ex);
            frame.Dispose();
        }
    }

    private void Fail(PooledFrame frame, CameraCounters counters, Exception ex)
    {
        counters.RecordFailed();
        var failures = counters.Failed;
        if (BitOperations.IsPow2(failures))
        {
            PipelineLog.FrameFailed(_logger, counters.Name, frame.Info.Sequence, failures, ex.Message);
        }
    }
}
