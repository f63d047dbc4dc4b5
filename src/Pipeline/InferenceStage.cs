using System.Diagnostics;
using System.Numerics;
using System.Threading.Channels;
using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// The one thread that touches the detector: takes a batch from the <see cref="DynamicBatcher"/>, normalizes
/// each scaled frame into its slot of the detector's input tensor (returning the frame buffer right after),
/// runs the session once, and decodes every slot. Decoding and NMS happen here, not in the analytics
/// stage, because they read the session's output buffers, which the next run overwrites. The crops of a
/// frame detected in regions may fill several slots, even of different batches: their detections are gathered
/// per camera and joined by a <see cref="RegionMerger"/> when the last crop is decoded, and only then does the
/// frame go on, as its full-resolution image.
/// </summary>
internal sealed class InferenceStage : IDisposable
{
    private const string StageName = "inference";

    private readonly IBatchDetector _detector;
    private readonly DynamicBatcher _batcher;
    private readonly ILogger _logger;
    private readonly PooledFrame[] _batch;

    // The prepared frames of the running batch, handed on with their detections.
    private readonly PooledFrame?[] _prepared;
    private readonly FrameInfo[] _infos;
    private readonly LetterboxTransform[] _transforms;
    private readonly List<Detection> _decoded = new(capacity: 128);
    // IoU above which boxes of two regions are one object: the detector's default NMS threshold.
    private const float RegionIouThreshold = 0.6f;

    // Per camera: the frame whose crops are being gathered, and the merger that joins them (made on the camera's
    // first frame in regions and reused for every later one).
    private RegionFrame?[] _regionFrames = [];
    private RegionMerger?[] _mergers = [];

    public InferenceStage(IBatchDetector detector, int maxBatchSize, TimeSpan maxBatchWait, ILogger logger)
    {
        _detector = detector;
        _logger = logger;
        _batcher = new DynamicBatcher(maxBatchSize, maxBatchWait);
        _batch = new PooledFrame[maxBatchSize];
        _prepared = new PooledFrame?[maxBatchSize];
        _infos = new FrameInfo[maxBatchSize];
        _transforms = new LetterboxTransform[maxBatchSize];
    }

    public async Task RunAsync(ChannelReader<PooledFrame> input, ChannelWriter<InferredFrame> output, PipelineRun run)
    {
        PipelineLog.StageStarted(_logger, StageName);
        Exception? error = null;
        _regionFrames = new RegionFrame?[run.Cameras.Count];
        _mergers = new RegionMerger?[run.Cameras.Count];

        // Slots [pendingFrom, pendingTo) hold frames taken from the queue and not yet handed on.
        int pendingFrom = 0, pendingTo = 0;
        try
        {
            while (true)
            {
                var count = await _batcher.ReadBatchAsync(input, _batch, run.Abort).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }

                pendingFrom = 0;
                pendingTo = PrepareSlots(count, run);
                if (pendingTo == 0)
                {
                    continue;
                }

                var started = Stopwatch.GetTimestamp();
                _detector.RunBatch(pendingTo);
                var inferenceMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                run.Metrics.RecordBatch(pendingTo, inferenceMs);

                for (var slot = 0; slot < pendingTo; slot++)
                {
                    started = Stopwatch.GetTimestamp();
                    _detector.DecodeSlot(slot, _transforms[slot], _decoded);
                    var image = _prepared[slot]!;
                    if (image.RegionCount > 0)
                    {
                        _prepared[slot] = null;
                        pendingFrom = slot + 1;
                        if (Gather(image, Stopwatch.GetElapsedTime(started).TotalMilliseconds, run) is { } whole)
                        {
                            await WriteAsync(output, whole with { InferenceMs = inferenceMs, BatchSize = pendingTo }, run).ConfigureAwait(false);
                        }

                        continue;
                    }

                    Detection[] detections = _decoded.Count == 0 ? [] : _decoded.ToArray();
                    var decodeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    _prepared[slot] = null;
                    pendingFrom = slot + 1;
                    await WriteAsync(output, new InferredFrame(_infos[slot], detections, inferenceMs, pendingTo, decodeMs, image) { StreamTime = image.StreamTime, HeldUntil = image.HeldUntil }, run).ConfigureAwait(false);
                }

                pendingTo = 0;
            }
        }
        catch (OperationCanceledException) when (run.Abort.IsCancellationRequested)
        {
            // Aborted: what this stage still held is counted below.
        }
        catch (Exception ex)
        {
            error = ex;
            run.ReportFault(StageName, ex);
        }
        finally
        {
            for (var slot = pendingFrom; slot < pendingTo; slot++)
            {
                if (_prepared[slot] is not { CountsAsFrame: false })
                {
                    run.CountersOf(_infos[slot].CameraIndex).RecordFailed();
                }
            }

            for (var camera = 0; camera < _regionFrames.Length; camera++)
            {
                if (_regionFrames[camera] is { } partial)
                {
                    run.CountersOf(camera).RecordFailed();
                    partial.Full.Dispose();
                    _regionFrames[camera] = null;
                }
            }

            for (var slot = 0; slot < _prepared.Length; slot++)
            {
                _prepared[slot]?.Dispose();
                _prepared[slot] = null;
            }

            DiscardBatch(run);
            output.TryComplete(error);
            PipelineLog.StageStopped(_logger, StageName);
        }
    }

    public void Dispose() => _batcher.Dispose();

    private static async ValueTask WriteAsync(ChannelWriter<InferredFrame> output, InferredFrame frame, PipelineRun run)
    {
        try
        {
            await output.WriteAsync(frame, run.Abort).ConfigureAwait(false);
        }
        catch
        {
            run.CountersOf(frame.Info.CameraIndex).RecordFailed();
            frame.Image.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes ownership of a decoded crop (its detections in <see cref="_decoded"/>, in the crop's pixels) and adds
    /// them to its frame; returns the frame, in frame pixels, when this was its last crop.
    /// </summary>
    private InferredFrame? Gather(PooledFrame crop, double decodeMs, PipelineRun run)
    {
        var camera = crop.Info.CameraIndex;
        var gathering = _regionFrames[camera];
        if (crop.RegionIndex == 0)
        {
            if (gathering is not null)
            {
                // The earlier frame's last crop never came (it failed to prepare): that frame is lost.
                gathering.Full.Dispose();
                _regionFrames[camera] = null;
                run.CountersOf(camera).RecordFailed();
            }

            var full = crop.Source!;
            crop.Source = null;
            gathering = new RegionFrame(full, crop.Info, crop.RegionCount, crop.StreamTime, crop.HeldUntil, _mergers[camera] ??= new RegionMerger(RegionIouThreshold, _detector.ClassGroups));
            gathering.Merger.Begin(full.Image.Width, full.Image.Height);
            _regionFrames[camera] = gathering;
        }

        var region = crop.Region;
        var scale = crop.Transform.Scale;
        var index = crop.RegionIndex;
        var last = crop.RegionIndex == crop.RegionCount - 1;
        var sequence = crop.Info.Sequence;
        crop.Dispose();
        if (gathering is null || gathering.Info.Sequence != sequence)
        {
            // The frame's first crop failed before inference; the frame was counted then.
            return null;
        }

        gathering.Merger.Add(region, scale, _decoded, index);
        gathering.Regions.Add(new BoxF(region.X, region.Y, region.X + region.Width, region.Y + region.Height));
        gathering.DecodeMs += decodeMs;
        if (!last)
        {
            return null;
        }

        _regionFrames[camera] = null;
        var started = Stopwatch.GetTimestamp();
        var detections = gathering.Merger.Finish();
        var image = gathering.Full;
        image.Transform = new LetterboxTransform(1f, 0, 0, image.Image.Width, image.Image.Height, image.Image.Width, image.Image.Height);
        return new InferredFrame(gathering.Info, detections, 0, 0, gathering.DecodeMs + Stopwatch.GetElapsedTime(started).TotalMilliseconds, image)
        {
            StreamTime = gathering.StreamTime,
            HeldUntil = gathering.HeldUntil,
            Regions = gathering.Regions.ToArray(),
        };
    }

    /// <summary>A frame whose crops are being decoded: its full image, owned here until it is handed on.</summary>
    private sealed class RegionFrame(PooledFrame full, FrameInfo info, int count, TimeSpan streamTime, TimeSpan? heldUntil, RegionMerger merger)
    {
        public PooledFrame Full { get; } = full;

        public FrameInfo Info { get; } = info;

        public int Count { get; } = count;

        public TimeSpan StreamTime { get; } = streamTime;

        public TimeSpan? HeldUntil { get; } = heldUntil;

        public RegionMerger Merger { get; } = merger;

        public List<BoxF> Regions { get; } = new(count);

        public double DecodeMs { get; set; }
    }

    /// <summary>Writes the batch's frames into consecutive tensor slots and returns their buffers; returns how many slots were filled.</summary>
    private int PrepareSlots(int count, PipelineRun run)
    {
        var prepared = 0;
        for (var i = 0; i < count; i++)
        {
            PooledFrame? frame = _batch[i];
            _batch[i] = null!;
            var started = Stopwatch.GetTimestamp();
            try
            {
                _detector.PrepareSlot(prepared, frame.Image);
                _infos[prepared] = frame.Info;
                _transforms[prepared] = frame.Transform;
                _prepared[prepared] = frame;
                frame = null;
                prepared++;
                run.Metrics.RecordTensor(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is OpenCVException or ArgumentException)
            {
                var counters = run.CountersOf(frame!.Info.CameraIndex);
                if (!frame.CountsAsFrame)
                {
                    // A later crop: its frame goes on with the regions that did work.
                    continue;
                }

                counters.RecordFailed();
                if (BitOperations.IsPow2(counters.Failed))
                {
                    PipelineLog.FrameFailed(_logger, counters.Name, frame.Info.Sequence, counters.Failed, ex.Message);
                }
            }
            finally
            {
                // Set to null once the frame moved into the prepared batch; only a failed frame is returned here.
                frame?.Dispose();
            }
        }

        return prepared;
    }

    private void DiscardBatch(PipelineRun run)
    {
        for (var i = 0; i < _batch.Length; i++)
        {
            if (_batch[i] is { } frame)
            {
                if (frame.CountsAsFrame)
                {
                    run.CountersOf(frame.Info.CameraIndex).RecordFailed();
                }

                frame.Dispose();
                _batch[i] = null!;
            }
        }
    }
}
