using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>What analytics adds to one processed frame.</summary>
/// <param name="TrackIds">Track id of each detection, in the detections' order; 0 where no confirmed track holds it.</param>
/// <param name="Summary">A scene summary sentence, on the frames where one is due (every <see cref="CameraAnalyticsOptions.SummaryInterval"/>).</param>
public sealed record FrameAnalytics(int[] TrackIds, IReadOnlyList<TrackEvent> Events, IReadOnlyList<CountChange> Counts, string? Summary = null)
{
    /// <summary>Every confirmed track on this frame (none in detect-only mode): what the detection policy reads to decide whether objects still move.</summary>
    public IReadOnlyList<TrackSnapshot> Tracks { get; init; } = [];

    /// <summary>JPEG crops of tracks whose view on this frame is their best so far (a new track's first view included).</summary>
    public IReadOnlyList<TrackSnapshotImage> Snapshots { get; init; } = [];
}

/// <summary>What the detector looked at on a frame, for the tracker (see <see cref="IObjectTracker"/>).</summary>
/// <param name="HeldUntil">Frames up to this time (the camera's analytics clock) were not detected because nothing moved.</param>
/// <param name="Regions">Null: the whole frame was detected; else the regions it was detected in, source pixels.</param>
public readonly record struct FrameCoverage(TimeSpan? HeldUntil, IReadOnlyList<BoxF>? Regions);

/// <summary>A best-view crop of one tracked object, with the event it belongs to.</summary>
/// <param name="EventId">The event that called for this view.</param>
/// <param name="ObjectId">The object shown: a better view of it replaces the earlier one.</param>
public sealed record TrackSnapshotImage(string EventId, string ObjectId, int TrackId, string Label, float Score, byte[] Jpeg);

/// <summary>
/// One camera's analytics, run on the analytics stage in frame order: tracking, dominant colours measured on
/// the frame's pixels, zones, lines, events, counts and a caption for each event that says something.
/// </summary>
public sealed class CameraAnalytics
{
    // Colours of a track are measured again at most this often: clothing does not change, lighting does a little.
    private static readonly TimeSpan ColourRefresh = TimeSpan.FromSeconds(2);

    private readonly string _camera;
    /// <summary>
    /// Pixels read per band for the tracker's colour signatures: they are read on every frame for every
    /// detection, so on a coarser grid than colour names, which are cached per track.
    /// </summary>
    public const int SignatureSamplesPerBand = 64;

    private readonly ObjectTracker? _tracker;
    private readonly EventBuilder _events;
    private readonly ColourNamer _colours = new();

    private readonly ColourNamer _signatures = new(SignatureSamplesPerBand);
    private float[] _signatureBuffer = new float[32 * ColourNamer.DescriptorLength];
    private readonly Dictionary<int, (ObjectColours Colours, TimeSpan At)> _colourCache = new();
    private readonly List<TrackEvent> _eventBuffer = new();
    private readonly List<CountChange> _countBuffer = new();
    private readonly TimeSpan _summaryInterval;
    private TimeSpan? _lastSummary;

    /// <param name="eventSequence">Numbers the camera's events; from 1 when null.</param>
    public CameraAnalytics(string camera, CameraAnalyticsOptions options, TrackerOptions? tracker = null, SequenceCounter? eventSequence = null)
    {
        _camera = camera;
        _summaryInterval = options.SummaryInterval;
        _tracker = options.Mode == CameraAnalyticsOptions.DetectOnlyMode ? null : new ObjectTracker(tracker ?? new TrackerOptions());
        _events = new EventBuilder(camera, options, eventSequence);
    }

    /// <param name="image">The frame scaled by <paramref name="transform"/>'s scale (no padding), as the detector saw it.</param>
    /// <param name="fullFrame">The frame at its own resolution, when the caller still has it: snapshots are cut from it; else from <paramref name="image"/>.</param>
    /// <param name="coverage">What the detector did not look at (frames held because nothing moved, parts outside its regions); default: everything seen.</param>
    public FrameAnalytics Process(long sequence, DateTimeOffset capturedAt, TimeSpan timestamp, int width, int height, Detection[] detections, Mat image, in LetterboxTransform transform, Mat? fullFrame = null, FrameCoverage coverage = default)
    {
        if (_tracker is null)
        {
            return CountOnly(sequence, capturedAt, timestamp, width, height, detections);
        }

        if (coverage.HeldUntil is { } heldUntil)
        {
            _tracker.Hold(heldUntil);
        }

        var frame = _tracker.Update(_camera, sequence, capturedAt, timestamp, width, height, detections, SignaturesOf(detections, image, transform.Scale), coverage.Regions);
        NameColours(frame, image, transform.Scale);
        foreach (var ended in frame.EndedTrackIds)
        {
            _colourCache.Remove(ended);
        }

        _eventBuffer.Clear();
        _countBuffer.Clear();
        _events.Process(frame, _eventBuffer, _countBuffer);
        var events = _eventBuffer.Count == 0 ? [] : new TrackEvent[_eventBuffer.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var e = _eventBuffer[i];
            events[i] = CaptionFor(e) is { } facts ? e with { Caption = TemplateCaptioner.Caption(facts) } : e;
        }

        return new FrameAnalytics(TrackIdsOf(detections, frame), events, _countBuffer.Count == 0 ? [] : _countBuffer.ToArray(), SummaryDue(timestamp, capturedAt))
        {
            Tracks = frame.Tracks,
            Snapshots = fullFrame is { } full && !full.Empty() ? SnapshotsOf(events, full, 1f) : SnapshotsOf(events, image, transform.Scale),
        };
    }

    /// <summary>Each detection's colour signature, read from the scaled frame, for the tracker.</summary>
    private ReadOnlySpan<float> SignaturesOf(Detection[] detections, Mat image, float scale)
    {
        var length = detections.Length * ColourNamer.DescriptorLength;
        if (image.Empty() || length == 0)
        {
            return [];
        }

        if (_signatureBuffer.Length < length)
        {
            _signatureBuffer = new float[Math.Max(length, _signatureBuffer.Length * 2)];
        }

        var signatures = _signatureBuffer.AsSpan(0, length);
        _signatures.Describe(image, detections, scale, signatures);
        return signatures;
    }

    /// <summary>
    /// Detect-only mode: each detection counted where it stands, in zones and in view, without tracks, events or
    /// snapshots (those need an object followed from frame to frame); counts and summaries are still published.
    /// </summary>
    private FrameAnalytics CountOnly(long sequence, DateTimeOffset capturedAt, TimeSpan timestamp, int width, int height, Detection[] detections)
    {
        var objects = new TrackSnapshot[detections.Length];
        for (var i = 0; i < detections.Length; i++)
        {
            var d = detections[i];
            objects[i] = new TrackSnapshot(0, d.ClassId, d.Label, d.Score, new BoxF(d.X1, d.Y1, d.X2, d.Y2), 0, 0, IsStationary: false, Detected: true);
        }

        _eventBuffer.Clear();
        _countBuffer.Clear();
        _events.Process(new TrackingFrame(_camera, sequence, capturedAt, timestamp, width, height, objects, []), _eventBuffer, _countBuffer);
        return new FrameAnalytics(new int[detections.Length], [], _countBuffer.Count == 0 ? [] : _countBuffer.ToArray(), SummaryDue(timestamp, capturedAt));
    }

    /// <summary>
    /// Crops of the objects whose event says this is their best view (new tracks and better views), with a
    /// margin of a tenth of the box around them, from <paramref name="image"/>: the full frame (scale 1) or the
    /// letterbox-size one the detector saw.
    /// </summary>
    private static TrackSnapshotImage[] SnapshotsOf(TrackEvent[] events, Mat image, float scale)
    {
        List<TrackSnapshotImage>? snapshots = null;
        foreach (var e in events)
        {
            if (!(e.Type == TrackEventType.New || e.BetterSnapshot) || image.Empty())
            {
                continue;
            }

            var box = e.Box;
            var marginX = box.Width * 0.1f;
            var marginY = box.Height * 0.1f;
            var x1 = Math.Clamp((int)((box.X1 - marginX) * scale), 0, image.Width - 1);
            var y1 = Math.Clamp((int)((box.Y1 - marginY) * scale), 0, image.Height - 1);
            var x2 = Math.Clamp((int)Math.Ceiling((box.X2 + marginX) * scale), x1 + 1, image.Width);
            var y2 = Math.Clamp((int)Math.Ceiling((box.Y2 + marginY) * scale), y1 + 1, image.Height);
            using var crop = new Mat(image, new Rect(x1, y1, x2 - x1, y2 - y1));
            Cv2.ImEncode(".jpg", crop, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
            (snapshots ??= []).Add(new TrackSnapshotImage(e.EventId, e.ObjectId, e.TrackId, e.Label, e.Score, jpeg));
        }

        return snapshots is null ? [] : snapshots.ToArray();
    }

    /// <summary>The scene in one sentence ("3 people and 1 truck in view; 2 people in zone 'path'."), when one is due.</summary>
    private string? SummaryDue(TimeSpan timestamp, DateTimeOffset capturedAt)
    {
        if (_summaryInterval <= TimeSpan.Zero || (_lastSummary is { } last && timestamp - last < _summaryInterval))
        {
            return null;
        }

        _lastSummary = timestamp;
        var summary = _events.Summarize(capturedAt);
        var facts = new SceneFacts(
            summary.InView.Where(p => p.Key != CountChange.All && p.Value > 0).Select(p => new LabelCount(p.Key, p.Value)).ToList(),
            summary.Zones.Select(z => new ZoneOccupancy(z.Key, z.Value.Where(p => p.Key != CountChange.All && p.Value > 0).Select(p => new LabelCount(p.Key, p.Value)).ToList())).ToList());
        return TemplateCaptioner.Summarize(facts);
    }

    /// <summary>The caption facts of an event, or null for an update that changes nothing a sentence would say.</summary>
    public static CaptionFacts? CaptionFor(TrackEvent e)
    {
        var heading = HeadingOf(e.Direction);
        var speed = (CaptionSpeed)(int)e.SpeedClass;
        var basis = new CaptionFacts(CaptionEventKind.Appeared, e.Label) { Colours = e.Colours, Heading = heading, Speed = speed };
        switch (e.Type)
        {
            case TrackEventType.New:
                return basis;
            case TrackEventType.End:
                return basis with { Kind = CaptionEventKind.Ended, Heading = null, Speed = null, DwellSeconds = e.DwellSeconds };
        }

        if (e.Changes.HasFlag(TrackChanges.CrossedLine) && e.LineCrossings.Count > 0)
        {
            var crossing = e.LineCrossings[^1];
            return basis with { Kind = CaptionEventKind.CrossedLine, Line = crossing.Line, LineDirection = crossing.Direction == CrossingDirection.In ? CaptionLineDirection.In : CaptionLineDirection.Out };
        }

        if (e.Changes.HasFlag(TrackChanges.EnteredZone) && e.CurrentZones.Count > 0)
        {
            return basis with { Kind = CaptionEventKind.EnteredZone, Zone = e.CurrentZones[^1] };
        }

        if (e.Changes.HasFlag(TrackChanges.LeftZone))
        {
            var left = e.EnteredZones.LastOrDefault(z => !e.CurrentZones.Contains(z));
            return left is null ? null : basis with
            {
                Kind = CaptionEventKind.LeftZone,
                Zone = left,
                DwellSeconds = e.ZoneDwellSeconds.TryGetValue(left, out var dwell) ? dwell : null,
            };
        }

        if (e.Changes.HasFlag(TrackChanges.StationaryChanged) && e.IsStationary)
        {
            return basis with { Kind = CaptionEventKind.Stationary, Heading = null, Speed = null };
        }

        return null;
    }

    private static CaptionHeading? HeadingOf(string? direction) => direction switch
    {
        "left" => CaptionHeading.Left,
        "right" => CaptionHeading.Right,
        "up" => CaptionHeading.Up,
        "down" => CaptionHeading.Down,
        "up-left" => CaptionHeading.UpLeft,
        "up-right" => CaptionHeading.UpRight,
        "down-left" => CaptionHeading.DownLeft,
        "down-right" => CaptionHeading.DownRight,
        _ => null,
    };

    /// <summary>Fills in each track's colours, measured again at most every <see cref="ColourRefresh"/>.</summary>
    private void NameColours(TrackingFrame frame, Mat image, float scale)
    {
        // Indexed, not foreach: an interface's enumerator is an allocation, and this runs on every frame.
        var tracks = frame.Tracks;
        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i];
            if (!_colourCache.TryGetValue(track.TrackId, out var cached) || (track.Detected && frame.Timestamp - cached.At >= ColourRefresh))
            {
                if (!track.Detected)
                {
                    continue;
                }

                var box = new BoxF(track.Box.X1 * scale, track.Box.Y1 * scale, track.Box.X2 * scale, track.Box.Y2 * scale);
                cached = (_colours.Name(image, box, track.Label), frame.Timestamp);
                _colourCache[track.TrackId] = cached;
            }

            track.Colours = cached.Colours;
        }
    }

    /// <summary>A detected track's box is its detection's box, so ids are found by box equality.</summary>
    private static int[] TrackIdsOf(Detection[] detections, TrackingFrame frame)
    {
        var ids = new int[detections.Length];
        var tracks = frame.Tracks;
        for (var d = 0; d < detections.Length; d++)
        {
            var detection = detections[d];
            for (var t = 0; t < tracks.Count; t++)
            {
                var track = tracks[t];
                if (track.Detected && track.ClassId == detection.ClassId && track.Box.X1 == detection.X1 && track.Box.Y1 == detection.Y1
                    && track.Box.X2 == detection.X2 && track.Box.Y2 == detection.Y2)
                {
                    ids[d] = track.TrackId;
                    break;
                }
            }
        }

        return ids;
    }
}
