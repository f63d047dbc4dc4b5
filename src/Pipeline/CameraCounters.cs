namespace EdgeVision.Pipeline;

/// <summary>
/// Running totals of one camera, written by its source and by the pipeline's stages, read by the statistics.
/// Every frame a source reads ends in exactly one of Skipped, Dropped, Processed or Failed, or is still in
/// flight; corrupt frames and frames the decoder lost are never captured.
/// </summary>
public sealed class CameraCounters
{
    private long _captured;
    private long _skipped;
    private long _dropped;
    private long _processed;
    private long _failed;
    private long _reconnects;
    private long _corrupt;
    private long _detected;
    private long _motionSkipped;
    private long _filtered;
    private long _regions;
    private readonly Action<bool>? _connectedChanged;
    private readonly Lock _connectedGate = new();
    private int _connected;

    private readonly Action<bool>? _motionChanged;
    private TimeSpan? _lastMoving;
    private bool _moving;
    private bool _motionReported;

    /// <summary>How long motion is reported after the last frame that had any (stream time), so a pause in a walk is not two events.</summary>
    public static readonly TimeSpan MotionHold = TimeSpan.FromSeconds(2);

    /// <param name="connectedChanged">Called with the new value each time <see cref="Connected"/> changes, in order.</param>
    /// <param name="motionChanged">Called when motion starts (true) and when it has been still for <see cref="MotionHold"/> (false); only for cameras with motion detection.</param>
    public CameraCounters(string name, Action<bool>? connectedChanged = null, Action<bool>? motionChanged = null)
    {
        Name = name;
        _connectedChanged = connectedChanged;
        _motionChanged = motionChanged;
    }

    public string Name { get; }

    /// <summary>Frames read from the source and handed to the pipeline (including those later skipped).</summary>
    public long Captured => Interlocked.Read(ref _captured);

    /// <summary>Frames left out by the camera's detect rate, while detection is paused, or by the detection gate (<see cref="MotionSkipped"/>).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Frames pushed out of the full capture queue by newer ones.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames the sink accepted.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Frames that entered the pipeline but could not be processed or published.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Times the source was reopened after a failure or a stall.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Frames that could not be decoded: empty reads, and frames a file declares but never delivered.</summary>
    public long CorruptFrames => Interlocked.Read(ref _corrupt);

    /// <summary>Frames sent to the detector (whole or in regions).</summary>
    public long Detected => Interlocked.Read(ref _detected);

    /// <summary>Frames the detection gate skipped because nothing moved and nothing followed needed a look; part of <see cref="Skipped"/>.</summary>
    public long MotionSkipped => Interlocked.Read(ref _motionSkipped);

    /// <summary>Detections dropped by the camera's label filters (score, size, shape or mask).</summary>
    public long FilteredDetections => Interlocked.Read(ref _filtered);

    /// <summary>Regions (crops of large frames) sent to the detector.</summary>
    public long Regions => Interlocked.Read(ref _regions);

    public bool Connected => Volatile.Read(ref _connected) == 1;

    /// <summary>Captured − Skipped − Dropped − Processed − Failed: frames somewhere between the source and the sink.</summary>
    public long InFlight => Captured - Skipped - Dropped - Processed - Failed;

    public void RecordReconnect() => Interlocked.Increment(ref _reconnects);

    public void RecordCorrupt(long frames = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        Interlocked.Add(ref _corrupt, frames);
    }

    /// <summary>
    /// True once frames flow after an open; false when the source cannot open, stalls, ends or reconnects. The
    /// watchdog and the capture thread both write it, so changes are reported under a lock to keep their order.
    /// </summary>
    public void SetConnected(bool connected)
    {
        lock (_connectedGate)
        {
            if (Interlocked.Exchange(ref _connected, connected ? 1 : 0) != (connected ? 1 : 0))
            {
                _connectedChanged?.Invoke(connected);
            }
        }
    }

    /// <summary>
    /// What motion detection saw on a frame at <paramref name="streamTime"/>: reports motion as it starts, and its end
    /// once <see cref="MotionHold"/> of the stream has passed without any. Called by the camera's preprocessing
    /// loop only (one thread, frames in order); the first call reports either way, so the state is known from the start.
    /// </summary>
    internal void RecordMotion(bool moving, TimeSpan streamTime)
    {
        if (moving)
        {
            _lastMoving = streamTime;
        }
        else if (_lastMoving is { } last && streamTime < last)
        {
            _lastMoving = null; // The stream started again (a file looping): its old times mean nothing now.
        }

        var now = _lastMoving is { } seen && streamTime - seen < MotionHold;
        if (now != _moving || !_motionReported)
        {
            _moving = now;
            _motionReported = true;
            _motionChanged?.Invoke(now);
        }
    }

    internal void RecordCaptured() => Interlocked.Increment(ref _captured);

    internal void RecordSkipped() => Interlocked.Increment(ref _skipped);

    internal void RecordDetected(int regions)
    {
        Interlocked.Increment(ref _detected);
        if (regions > 0)
        {
            Interlocked.Add(ref _regions, regions);
        }
    }

    internal void RecordMotionSkipped()
    {
        Interlocked.Increment(ref _skipped);
        Interlocked.Increment(ref _motionSkipped);
    }

    internal void RecordFiltered(int detections) => Interlocked.Add(ref _filtered, detections);

    internal void RecordDropped() => Interlocked.Increment(ref _dropped);

    internal void RecordProcessed() => Interlocked.Increment(ref _processed);

    internal void RecordFailed(long frames = 1) => Interlocked.Add(ref _failed, frames);

    internal void UndoCaptured() => Interlocked.Decrement(ref _captured);
}
