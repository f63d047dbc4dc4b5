using System.Diagnostics;
using System.Threading.Channels;

namespace EdgeVision.Pipeline;

/// <summary>What happened to a frame handed to <see cref="CaptureChannel.Write"/>.</summary>
public enum CaptureOutcome
{
    /// <summary>In the capture queue; the pipeline owns it now.</summary>
    Queued,

    /// <summary>Not due under the camera's detect rate, or detection is paused; counted and returned to the pool.</summary>
    Skipped,

    /// <summary>The channel is closed or the write was cancelled; the frame went back to the pool uncounted.</summary>
    Closed,
}

/// <summary>
/// The queue between one camera's source and preprocessing, and the only way a source hands over frames:
/// it numbers them, applies the detect rate and counts. A live source (a stream, a device, a paced file)
/// never waits: when the queue is full the oldest frame is dropped, returned to the pool and counted.
/// An unpaced file is read as fast as the pipeline takes frames, so its writes wait for room instead.
/// </summary>
public sealed class CaptureChannel
{
    private readonly Channel<PooledFrame> _channel;
    private readonly FramePool _pool;
    private readonly DetectRateGate _gate;
    private readonly Func<bool>? _detecting;
    private readonly SequenceCounter _sequence;

    /// <param name="detecting">Asked for every frame: false skips it as if the detect rate had left it out (detection paused).</param>
    /// <param name="clock">The time base and phase shared with the pipeline's other cameras; a clock of its own when null.</param>
    /// <param name="sequence">Numbers the frames; from 0 when null.</param>
    public CaptureChannel(int cameraIndex, CameraOptions camera, bool live, int capacity, FramePool pool, CameraCounters counters, Func<bool>? detecting = null, CameraClock? clock = null, SequenceCounter? sequence = null)
    {
        _sequence = sequence ?? new SequenceCounter();
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        CameraIndex = cameraIndex;
        Camera = camera;
        IsLive = live;
        Capacity = capacity;
        Counters = counters ?? throw new ArgumentNullException(nameof(counters));
        _pool = pool ?? throw new ArgumentNullException(nameof(pool));
        Clock = clock ?? CameraClock.StartNew();
        // Phases only mean something on the shared epoch: an unpaced file is gated on its own media time.
        _gate = new DetectRateGate(camera.DetectFps, live ? Clock.Phase : 0);
        _detecting = detecting;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = live ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        };
        _channel = Channel.CreateBounded<PooledFrame>(options, OnDropped);
    }

    public int CameraIndex { get; }

    public CameraOptions Camera { get; }

    public bool IsLive { get; }

    public int Capacity { get; }

    public CameraCounters Counters { get; }

    /// <summary>What the camera's analytics last knew of its followed objects, for the detection gate.</summary>
    public Motion.CameraActivity Activity { get; } = new();

    /// <summary>The epoch live frames are timed from and the phase of this camera's pacing and detect-rate grids.</summary>
    public CameraClock Clock { get; }

    public ChannelReader<PooledFrame> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    /// <summary>A buffer to decode the next frame into; pass it to <see cref="Write"/> or dispose it.</summary>
    public PooledFrame Rent() => _pool.Rent();

    /// <summary>
    /// Takes ownership of <paramref name="frame"/>, just read from the source, in every outcome.
    /// <paramref name="timestamp"/> is the frame's position in the stream (media time for an unpaced file,
    /// time since the <see cref="Clock"/>'s epoch for a live source) and decides the detect rate. Blocks for room only for a non-live source.
    /// </summary>
    public CaptureOutcome Write(PooledFrame frame, TimeSpan timestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var image = frame.Image;
        frame.Info = new FrameInfo(
            CameraIndex,
            _sequence.Next(),
            DateTimeOffset.UtcNow,
            Stopwatch.GetTimestamp(),
            image.Width,
            image.Height);
        frame.StreamTime = timestamp;

        if ((_detecting is { } detecting && !detecting()) || !_gate.Take(timestamp))
        {
            Counters.RecordCaptured();
            Counters.RecordSkipped();
            frame.Dispose();
            return CaptureOutcome.Skipped;
        }

        // Counted before the write: the reader may finish the frame before TryWrite even returns.
        Counters.RecordCaptured();
        while (!_channel.Writer.TryWrite(frame))
        {
            if (IsLive || !WaitForRoom(cancellationToken))
            {
                Counters.UndoCaptured();
                frame.Dispose();
                return CaptureOutcome.Closed;
            }
        }

        return CaptureOutcome.Queued;
    }

    /// <summary>No more frames; preprocessing finishes what is queued and then stops.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    private bool WaitForRoom(CancellationToken cancellationToken)
    {
        try
        {
            // Sources read on their own thread, so blocking it here is how an unpaced file is paced by the pipeline.
            return _channel.Writer.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void OnDropped(PooledFrame frame)
    {
        Counters.RecordDropped();
        frame.Dispose();
    }
}
