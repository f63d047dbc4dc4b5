using System.Diagnostics;
using System.Threading.Channels;
using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using Microsoft.Extensions.Logging;

namespace EdgeVision.Pipeline;

/// <summary>
/// Runs each camera's analytics (tracking, zones, lines, events, captions) on its decoded frames, in frame
/// order, and turns them into what the sink receives: one <see cref="FrameDetections"/> per frame, owning its
/// detections array; tallies detections per label. Runs off the inference thread so that the session's next
/// batch does not wait for it.
/// </summary>
internal sealed class AnalyticsStage
{
    private const string StageName = "analytics";

    private readonly ILogger _logger;
    private readonly IFrameTap? _tap;

    // Per camera, created on its first frame; analytics keeps per-camera state and sees each camera's frames in order.
    // Analytics runs on stream time, so speeds, dwell times and the tracker's buffer mean the same for a file read
    // faster than real time as for a live camera; a stream that restarts (a looped file) runs backwards and starts the tracker afresh.
    private readonly Dictionary<int, (CameraAnalytics Analytics, DetectionFilter? Filter, TimeSpan FirstStreamTime)> _cameras = new();

    private readonly ISequenceSource? _sequences;

    public AnalyticsStage(ILogger logger, IFrameTap? tap = null, ISequenceSource? sequences = null)
    {
        _logger = logger;
        _tap = tap;
        _sequences = sequences;
    }

    private (CameraAnalytics Analytics, DetectionFilter? Filter, TimeSpan FirstStreamTime) StateOf(PipelineRun run, in InferredFrame item)
    {
        var index = item.Info.CameraIndex;
        if (!_cameras.TryGetValue(index, out var state))
        {
            var camera = run.Cameras[index].Camera;
            var analytics = new CameraAnalytics(camera.Name, camera.Analytics, eventSequence: _sequences?.Counter(camera.Name, SequenceKind.Events));
            _cameras[index] = state = (analytics, DetectionFilter.For(camera.Analytics), item.StreamTime);
        }

        return state;
    }

    private static FrameAnalytics Analyze(
        PipelineRun run, in InferredFrame item, (CameraAnalytics Analytics, DetectionFilter? Filter, TimeSpan FirstStreamTime) state, Detection[] detections)
    {
        var info = item.Info;
        var timestamp = item.StreamTime - state.FirstStreamTime;
        var heldUntil = item.HeldUntil - state.FirstStreamTime;
        var image = item.Image;
        var result = state.Analytics.Process(
            info.Sequence, info.CapturedAt, timestamp, info.Width, info.Height, detections, image.Image, image.Transform, image.Source?.Image, new FrameCoverage(heldUntil, item.Regions));

        // The camera's detection gate reads what is followed now, to keep detecting while anything moves or is missed.
        run.Cameras[info.CameraIndex].Activity.Publish(ActivityView.Of(info.CaptureTimestamp, result.Tracks));
        return result;
    }

    public async Task RunAsync(ChannelReader<InferredFrame> input, ChannelWriter<FrameDetections> output, PipelineRun run)
    {
        PipelineLog.StageStarted(_logger, StageName);
        Exception? error = null;
        try
        {
            await foreach (var item in input.ReadAllAsync(run.Abort).ConfigureAwait(false))
            {
                // The frame's pixels are only needed while analytics looks at them.
                using var image = item.Image;
                var started = Stopwatch.GetTimestamp();
                var info = item.Info;

                // The camera's label filters drop what must not count before anything else sees it.
                var state = StateOf(run, item);
                var detections = item.Detections;
                if (state.Filter is { } filter)
                {
                    detections = filter.Apply(detections, info.Width, info.Height, out var filtered);
                    if (filtered > 0)
                    {
                        run.CountersOf(info.CameraIndex).RecordFiltered(filtered);
                    }
                }

                var frame = new FrameDetections(
                    run.Cameras[info.CameraIndex].Camera.Name,
                    info.Sequence,
                    info.CapturedAt,
                    info.CaptureTimestamp,
                    info.Width,
                    info.Height,
                    run.Model,
                    item.InferenceMs,
                    item.BatchSize,
                    detections)
                {
                    Analytics = Analyze(run, item, state, detections),
                    StreamTime = item.StreamTime,
                };
                if (_tap is not null && _tap.Wants(frame.Camera))
                {
                    var full = image.Source?.Image;
                    _tap.Offer(frame, full ?? image.Image, full is null ? image.Transform.Scale : 1f);
                }

                run.Metrics.CountLabels(detections);
                run.Metrics.RecordDecode(item.DecodeMs);
                run.Metrics.RecordAnalytics(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                try
                {
                    await output.WriteAsync(frame, run.Abort).ConfigureAwait(false);
                }
                catch
                {
                    run.CountersOf(info.CameraIndex).RecordFailed();
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
            error = ex;
            run.ReportFault(StageName, ex);
        }
        finally
        {
            output.TryComplete(error);
            PipelineLog.StageStopped(_logger, StageName);
        }
    }
}
