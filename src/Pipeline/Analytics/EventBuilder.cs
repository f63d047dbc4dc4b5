namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Turns one camera's tracking frames into track events and count changes. Not thread-safe: one camera, one
/// caller, frames in order.
/// </summary>
/// <remarks>
/// A track is reported once it qualifies (label allowed by the camera, top score at least the camera's
/// <see cref="CameraAnalyticsOptions.MinScore"/>): "new" on that frame, "update" only when <see cref="TrackChanges"/>
/// has something to say, "end" when the tracker lists it as ended or stops listing it. Counts are rebuilt every
/// frame from the same state the events describe, so replaying the events gives the same counts.
/// Per-frame work does not allocate unless something is emitted or a track appears.
/// </remarks>
internal sealed class EventBuilder
{
    private readonly string _camera;
    private readonly CameraAnalyticsOptions _options;
    private readonly bool _tracking;
    private readonly HashSet<string>? _labels;
    private readonly ZoneTracker _zones;
    private readonly LineCounter _lines;
    private readonly CountBoard _board;
    private readonly Dictionary<int, TrackRecord> _records = [];
    private readonly List<LineHit> _hits = [];
    private readonly List<TrackRecord> _gone = [];
    private readonly SequenceCounter _seq;
    private long _frames;
    private long _lastSeq;

    /// <param name="sequence">Numbers the events; from 1 when null.</param>
    public EventBuilder(string camera, CameraAnalyticsOptions options, SequenceCounter? sequence = null)
    {
        _seq = sequence ?? new SequenceCounter(1);
        _camera = camera;
        _options = options;
        _tracking = options.Mode != CameraAnalyticsOptions.DetectOnlyMode;
        _labels = options.Labels.Count == 0 ? null : new HashSet<string>(options.Labels, StringComparer.Ordinal);
        _zones = new ZoneTracker(options.Zones, options.ZoneEnterFrames, options.ZoneLeaveFrames);
        _lines = new LineCounter(_tracking ? options.Lines : [], options.LineMargin);
        _board = new CountBoard(_zones.Count, _lines.Count, options.Labels);
    }

    public string Camera => _camera;

    /// <summary>Sequence number of the last event emitted; 0 before the first.</summary>
    public long LastSeq => _lastSeq;

    /// <summary>Applies one frame and appends what it produced; the lists belong to the caller and are not cleared.</summary>
    public void Process(TrackingFrame frame, List<TrackEvent> events, List<CountChange> counts)
    {
        _zones.SetFrameSize(frame.Width, frame.Height);
        _lines.SetFrameSize(frame.Width, frame.Height);
        _board.BeginFrame();
        _frames++;

        if (_tracking)
        {
            Track(frame, events);
        }
        else
        {
            CountDetections(frame);
        }

        _board.Flush(_camera, _zones, _lines, counts);
    }

    /// <summary>Counts as they stand after the last frame.</summary>
    public SceneSummary Summarize(DateTimeOffset at) => _board.Summarize(_camera, at, _zones, _lines);

    private void Track(TrackingFrame frame, List<TrackEvent> events)
    {
        var tracks = frame.Tracks;
        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i];
            if (!_records.TryGetValue(track.TrackId, out var record))
            {
                if (!LabelAllowed(track.Label))
                {
                    continue;
                }

                record = new TrackRecord(track.TrackId);
                _records.Add(track.TrackId, record);
            }

            record.SeenOnFrame = _frames;
            if (track.Detected && track.Score > record.TopScore)
            {
                record.TopScore = track.Score;
            }

            if (record.Qualified)
            {
                Advance(record, track, frame, events);
            }
            else if (record.TopScore >= _options.MinScore && LabelAllowed(track.Label))
            {
                Qualify(record, track, frame, events);
            }
        }

        var ended = frame.EndedTrackIds;
        for (var i = 0; i < ended.Count; i++)
        {
            if (_records.Remove(ended[i], out var record) && record.Qualified)
            {
                events.Add(EventOf(record, TrackEventType.End, TrackChanges.None, betterSnapshot: false));
            }
        }

        // The tracker lists every live track on every frame; one it dropped without saying so has ended all the same.
        _gone.Clear();
        foreach (var record in _records.Values)
        {
            if (record.SeenOnFrame != _frames)
            {
                _gone.Add(record);
            }
        }

        foreach (var record in _gone)
        {
            _records.Remove(record.TrackId);
            if (record.Qualified)
            {
                events.Add(EventOf(record, TrackEventType.End, TrackChanges.None, betterSnapshot: false));
            }
        }

        foreach (var record in _records.Values)
        {
            if (!record.Qualified)
            {
                continue;
            }

            _board.AddOccupant(CountBoard.WholeView, record.Label);
            for (var z = 0; z < _zones.Count; z++)
            {
                if (record.Zones!.IsInside(z))
                {
                    _board.AddOccupant(z, record.Label);
                }
            }
        }
    }

    private void Qualify(TrackRecord record, TrackSnapshot track, TrackingFrame frame, List<TrackEvent> events)
    {
        record.Qualified = true;
        record.FirstSeen = frame.CapturedAt;
        record.FirstSeenAt = frame.Timestamp;
        record.ObjectId = $"{_camera}-{track.TrackId}-{frame.CapturedAt.UtcTicks}";
        record.Label = track.Label;
        record.IsStationary = track.IsStationary;
        record.Zones = _zones.Start(track, record.TopScore, frame.Timestamp);
        record.Lines = _lines.Start(track);
        record.BestView = track.Detected ? ViewQuality(track, frame) : 0;
        record.BestViewAt = frame.Timestamp;
        See(record, track, frame);
        events.Add(EventOf(record, TrackEventType.New, TrackChanges.None, betterSnapshot: track.Detected));
    }

    private void Advance(TrackRecord record, TrackSnapshot track, TrackingFrame frame, List<TrackEvent> events)
    {
        var changes = TrackChanges.None;
        var zoneChange = _zones.Update(record.Zones!, track, record.TopScore, frame.Timestamp);
        if ((zoneChange & ZoneChange.Entered) != 0)
        {
            changes |= TrackChanges.EnteredZone;
        }

        if ((zoneChange & ZoneChange.Left) != 0)
        {
            changes |= TrackChanges.LeftZone;
        }

        _hits.Clear();
        if (_lines.Update(record.Lines!, track, record.TopScore, _hits) > 0)
        {
            changes |= TrackChanges.CrossedLine;
            foreach (var hit in _hits)
            {
                record.Crossings.Add(new LineCrossing(_lines.NameOf(hit.Line), hit.Direction, track.Label, frame.CapturedAt));
                _board.AddCrossing(hit.Line, track.Label, hit.Direction);
            }
        }

        if (track.IsStationary != record.IsStationary)
        {
            changes |= TrackChanges.StationaryChanged;
            record.IsStationary = track.IsStationary;
        }

        if (!string.Equals(track.Label, record.Label, StringComparison.Ordinal))
        {
            changes |= TrackChanges.LabelChanged;
            record.Label = track.Label;
        }

        // A better view alone is worth a message at most once per interval; riding on another change it is free.
        var view = ViewQuality(track, frame);
        var better = track.Detected
            && view > record.BestView * (1 + _options.BetterSnapshotMargin)
            && (changes != TrackChanges.None || frame.Timestamp - record.BestViewAt >= _options.BetterSnapshotInterval);
        if (better)
        {
            changes |= TrackChanges.BetterSnapshot;
            record.BestView = view;
            record.BestViewAt = frame.Timestamp;
        }

        See(record, track, frame);
        if (changes != TrackChanges.None)
        {
            events.Add(EventOf(record, TrackEventType.Update, changes, better));
        }
    }

    private static void See(TrackRecord record, TrackSnapshot track, TrackingFrame frame)
    {
        record.Latest = track;
        record.LastSeen = frame.CapturedAt;
        record.LastSeenAt = frame.Timestamp;
    }

    private void CountDetections(TrackingFrame frame)
    {
        var tracks = frame.Tracks;
        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i];
            if (!LabelAllowed(track.Label) || track.Score < _options.MinScore)
            {
                continue;
            }

            _board.AddOccupant(CountBoard.WholeView, track.Label);
            for (var z = 0; z < _zones.Count; z++)
            {
                if (_zones.Contains(z, track, track.Score))
                {
                    _board.AddOccupant(z, track.Label);
                }
            }
        }
    }

    private bool LabelAllowed(string label) => _labels is null || _labels.Contains(label);

    private TrackEvent EventOf(TrackRecord record, TrackEventType type, TrackChanges changes, bool betterSnapshot)
    {
        var track = record.Latest!;
        var current = new List<string>();
        var entered = new List<string>();
        var dwell = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var z = 0; z < _zones.Count; z++)
        {
            if (record.Zones!.IsInside(z))
            {
                current.Add(_zones.NameOf(z));
            }

            if (record.Zones.HasEntered(z))
            {
                entered.Add(_zones.NameOf(z));
                dwell[_zones.NameOf(z)] = record.Zones.DwellAt(z, record.LastSeenAt).TotalSeconds;
            }
        }

        return new TrackEvent
        {
            EventId = $"{record.ObjectId}-{++record.Events}",
            ObjectId = record.ObjectId,
            Seq = _lastSeq = _seq.Next(),
            SeqEpoch = _seq.Epoch,
            SeqBoot = _seq.Boot,
            Type = type,
            Changes = changes,
            Camera = _camera,
            TrackId = record.TrackId,
            Label = record.Label,
            Score = track.Score,
            TopScore = record.TopScore,
            FirstSeen = record.FirstSeen,
            LastSeen = record.LastSeen,
            Box = track.Box,
            IsStationary = track.IsStationary,
            Colours = track.Colours,
            Speed = MotionDescription.SpeedOf(track),
            SpeedClass = MotionDescription.ClassOf(track),
            Direction = MotionDescription.DirectionOf(track),
            CurrentZones = current,
            EnteredZones = entered,
            LineCrossings = [.. record.Crossings],
            ZoneDwellSeconds = dwell,
            DwellSeconds = (record.LastSeenAt - record.FirstSeenAt).TotalSeconds,
            BetterSnapshot = betterSnapshot,
        };
    }

    /// <summary>
    /// How good a view of the object this frame gives: score × size, and a box cut by the frame's edge counts a
    /// quarter, since the object is only partly in the picture.
    /// </summary>
    private static float ViewQuality(TrackSnapshot track, TrackingFrame frame)
    {
        var marginX = frame.Width * 0.01f;
        var marginY = frame.Height * 0.01f;
        var box = track.Box;
        var atEdge = box.X1 <= marginX || box.Y1 <= marginY || box.X2 >= frame.Width - marginX || box.Y2 >= frame.Height - marginY;
        return track.Score * box.Area * (atEdge ? 0.25f : 1f);
    }
}
