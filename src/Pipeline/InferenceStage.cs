using System.Diagnostics;
using System.Numerics;
using System.Threading.Channels;
using EdgeVision.Models;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// The one thread that touches the detector: takes a batch from the <see cref="DynamicBatcher"/>, normalizes
/// each scaled frame into its slot of the detector's input tensor (returning the frame buffer right after),
/// runs the session once, and decodes every slot. Decoding and NMS happen here, not in the postprocess
/// stage, because they read the session's output buffers, which the next run overwrites.
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
                    Detection[] detections = _decoded.Count == 0 ? [] : _decoded.ToArray();
                    var decodeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var image = _prepared[slot]!;
                    try
                    {
                        await output.WriteAsync(new InferredFrame(_infos[slot], detections, inferenceMs, pendingTo, decodeMs, image), run.Abort).ConfigureAwait(false);
                    }
                    catch
                    {
                        image.Dispose();
                        _prepared[slot] = null;
                        throw;
                    }

                    _prepared[slot] = null;
                    pendingFrom = slot + 1;
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
                run.CountersOf(_infos[slot].CameraIndex).RecordFailed();
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
                run.CountersOf(frame.Info.CameraIndex).RecordFailed();
                frame.Dispose();
                _batch[i] = null!;
            }
        }
    }
}
