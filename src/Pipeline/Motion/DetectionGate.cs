using System.Diagnostics;
using OpenCvSharp;

namespace EdgeVision.Pipeline.Motion;

/// <summary>How a frame goes to the detector.</summary>
internal enum GateDecision
{
    /// <summary>Not at all: nothing moved and nothing followed needs looking at.</summary>
    Skip,

    /// <summary>Whole, letterboxed to the model's input.</summary>
    Whole,

    /// <summary>In regions at (nearly) full resolution.</summary>
    Regions,
}

/// <summary>Why the detector runs on a frame.</summary>
internal enum DetectReason
{
    None,

    /// <summary>The camera's first frame, or the first after its stream restarted.</summary>
    Started,

    Motion,

    /// <summary>A followed object still moves, or was missed and is being looked for.</summary>
    Activity,

    /// <summary>Nothing moved for <see cref="MotionOptions.KeepAliveInterval"/>: a look to confirm what stands still.</summary>
    KeepAlive,

    /// <summary>Motion gating is off for the camera.</summary>
    Always,
}

/// <summary>
/// One camera's detection policy: run the detector on a frame when something moved, when an object it follows
/// still moves or was missed, or every keep-alive interval; otherwise skip the frame. For a frame the whole-frame
/// letterbox would shrink below the least scale, say where: regions around motion and those objects, or a sweep
/// of the whole frame on the first frame and at each keep-alive. Not thread-safe: one camera's frames, in order.
/// </summary>
internal sealed class DetectionGate
{
    private readonly MotionOptions _options;
    private readonly MotionDetector? _motion;
    private readonly RegionPlanner _planner;
    private readonly List<Rect> _boxes = new(capacity: 64);
    private TimeSpan? _lastDetected;

    public DetectionGate(MotionOptions options, int networkWidth, int networkHeight)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _motion = options.Enabled ? new MotionDetector(options) : null;
        _planner = new RegionPlanner(networkWidth, networkHeight, options.MinRegionScale);
    }

    public bool Enabled => _motion is not null;

    /// <summary>Why the last frame was (or was not) detected.</summary>
    public DetectReason LastReason { get; private set; }

    /// <summary>What motion detection saw on the last frame.</summary>
    public MotionState LastMotion { get; private set; }

    /// <summary>The motion detector, for its boxes and share; null when gating is off.</summary>
    public MotionDetector? Motion => _motion;

    /// <summary>
    /// Decides for <paramref name="image"/>, captured at <paramref name="captureTimestamp"/>, at
    /// <paramref name="streamTime"/> in its stream. For <see cref="GateDecision.Regions"/>, <paramref name="regions"/>
    /// holds the crops (frame pixels); otherwise it is left empty.
    /// </summary>
    /// <param name="activity">What the camera's analytics last knew; null before its first frame.</param>
    public GateDecision Decide(Mat image, TimeSpan streamTime, long captureTimestamp, ActivityView? activity, List<Rect> regions)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(regions);
        regions.Clear();
        if (_motion is null)
        {
            LastReason = DetectReason.Always;
            return GateDecision.Whole;
        }

        LastMotion = _motion.Detect(image, streamTime);
        if (_lastDetected is { } last && streamTime < last)
        {
            _lastDetected = null;
        }

        var keepAliveDue = _lastDetected is not { } previous || streamTime - previous >= _options.KeepAliveInterval;
        LastReason = LastMotion switch
        {
            MotionState.Started => DetectReason.Started,
            MotionState.Moving => DetectReason.Motion,
            _ when activity is { Unsettled: true } => DetectReason.Activity,
            _ when keepAliveDue => DetectReason.KeepAlive,
            _ => DetectReason.None,
        };

        if (LastReason == DetectReason.None)
        {
            return GateDecision.Skip;
        }

        _lastDetected = streamTime;
        var width = image.Width;
        var height = image.Height;
        if (_options.Regions == MotionOptions.RegionsOff || _planner.DetectsWhole(width, height))
        {
            return GateDecision.Whole;
        }

        if (LastReason is DetectReason.Started or DetectReason.KeepAlive)
        {
            _planner.Sweep(width, height, regions);
            return GateDecision.Regions;
        }

        _boxes.Clear();
        if (LastMotion == MotionState.Moving)
        {
            _boxes.AddRange(_motion.Boxes);
        }

        if (activity is not null)
        {
            var seconds = Math.Max(0, Stopwatch.GetElapsedTime(activity.CaptureTimestamp, captureTimestamp).TotalSeconds);
            foreach (var followed in activity.Objects)
            {
                if (!followed.NeedsDetection)
                {
                    continue;
                }

                var box = ActivityView.Predict(followed, seconds);
                var x1 = Math.Clamp((int)Math.Floor(box.X1), 0, width - 1);
                var y1 = Math.Clamp((int)Math.Floor(box.Y1), 0, height - 1);
                var x2 = Math.Clamp((int)Math.Ceiling(box.X2), x1 + 1, width);
                var y2 = Math.Clamp((int)Math.Ceiling(box.Y2), y1 + 1, height);
                _boxes.Add(new Rect(x1, y1, x2 - x1, y2 - y1));
            }
        }

        if (_boxes.Count == 0)
        {
            _planner.Sweep(width, height, regions);
        }
        else
        {
            _planner.Cover(_boxes, width, height, regions);
        }

        return GateDecision.Regions;
    }
}
