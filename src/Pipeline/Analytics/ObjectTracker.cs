using EdgeVision.Models;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Multi-object tracker for one camera in the manner of ByteTrack: a constant-velocity Kalman filter per
/// object, and association in two stages by IoU, solved as an optimal assignment. High-score detections are
/// matched first against every confirmed track (including those coasting through an occlusion); low-score
/// detections, which are mostly the same objects half hidden, then continue the tracks still unmatched but
/// never start one. A detection and a track of different classes are never paired.
/// </summary>
/// <remarks>
/// Ids are handed out on confirmation, counting up from 1 per tracker and never reused, so a tentative
/// false detection costs no id. Per frame, the tracker allocates only what it returns (and the record of a
/// new object); its working buffers grow to the busiest frame seen and are reused. Not thread-safe: one
/// camera's frames arrive in order on one stage.
/// </remarks>
internal sealed class ObjectTracker : IObjectTracker
{
    // Above every gate: IoU costs lie in [0, 1].
    private const float NeverCost = 2f;

    private readonly TrackerOptions _options;
    private readonly HungarianAssignment _assignment = new();
    private readonly List<TrackedObject> _tracks = new(capacity: 64);
    private readonly List<int> _highDetections = new(capacity: 64);
    private readonly List<int> _lowDetections = new(capacity: 64);
    private readonly List<int> _candidateTracks = new(capacity: 64);
    private readonly List<int> _candidateDetections = new(capacity: 64);
    private readonly List<int> _endedIds = new(capacity: 16);
    private BoxF[] _boxes = new BoxF[64];
    private bool[] _detectionTaken = new bool[64];
    private float[] _costs = new float[1024];
    private int[] _rowToColumn = new int[64];
    private float[] _appearances = new float[64 * ColourNamer.DescriptorLength];
    private int _appearanceCount;
    private int _detectionCount;
    private string? _camera;
    private TimeSpan? _lastTimestamp;
    private int _lastId;

    public ObjectTracker(TrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("tracker options are invalid: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
    }

    /// <summary>Tracks held now: tentative, tracked and coasting.</summary>
    public int TrackCount => _tracks.Count;

    /// <inheritdoc/>
    public TrackingFrame Update(
        string camera,
        long sequence,
        DateTimeOffset capturedAt,
        TimeSpan timestamp,
        int width,
        int height,
        IReadOnlyList<Detection> detections,
        ReadOnlySpan<float> appearances = default,
        IReadOnlyList<BoxF>? lookedAt = null)
    {
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentNullException.ThrowIfNull(detections);
        if (!appearances.IsEmpty && appearances.Length != detections.Count * ColourNamer.DescriptorLength)
        {
            throw new ArgumentException($"expected {ColourNamer.DescriptorLength} values for each of {detections.Count} detections, got {appearances.Length}", nameof(appearances));
        }

        CopyAppearances(appearances, detections.Count);
        if (_camera is null)
        {
            _camera = camera;
        }
        else if (!string.Equals(_camera, camera, StringComparison.Ordinal))
        {
            // Ids are per camera, and boxes of two cameras overlapping by chance must never pair.
            throw new ArgumentException($"this tracker follows camera '{_camera}', not '{camera}': use one tracker per camera", nameof(camera));
        }

        _endedIds.Clear();
        var firstFrame = _lastTimestamp is null;
        if (_lastTimestamp is { } last && timestamp < last)
        {
            // Time ran backwards: the stream restarted (a file looping, a camera reconnecting with a fresh
            // clock). Nothing predicted from the old clock holds, so every track ends here.
            EndAll();
            firstFrame = true;
        }

        var seconds = _lastTimestamp is { } previous && timestamp > previous ? (timestamp - previous).TotalSeconds : 0.0;
        _lastTimestamp = timestamp;

        foreach (var track in _tracks)
        {
            track.Motion.Predict(seconds, holdSize: track.State == TrackState.Lost);
            track.DetectedThisFrame = false;
            track.UnseenThisFrame = false;
        }

        SortDetections(detections);

        // First stage: confident detections against every confirmed track, tracked or coasting.
        SelectCandidates(static track => track.State != TrackState.Tentative);

        Associate(detections, _highDetections, _options.HighMatchIou, timestamp);

        // Second stage: weak detections only continue tracks that were seen on the last frame; a coasting
        // track is not revived by one, since weak boxes far from any recent sighting are mostly clutter.
        SelectCandidates(static track => track.State == TrackState.Tracked && !track.DetectedThisFrame);

        Associate(detections, _lowDetections, _options.LowMatchIou, timestamp);
        foreach (var index in _candidateTracks)
        {
            var track = _tracks[index];
            if (track.DetectedThisFrame)
            {
                continue;
            }

            if (lookedAt is not null && !Covered(track.Motion.Box, lookedAt))
            {
                // Not missed: the detector looked elsewhere. It stays where it was, as seen.
                track.UnseenThisFrame = true;
                track.LastDetectedAt = timestamp;
            }
            else
            {
                track.State = TrackState.Lost;
            }
        }

        // Recovery: a confident detection nothing claimed may be a coasting object coming out from behind
        // something, away from where the motion model expected it (people stop behind signs). Lost tracks get
        // a second chance by centre distance, in units of their own height, with similar size.
        SelectCandidates(static track => track.State == TrackState.Lost && !track.DetectedThisFrame);

        if (_options.RecoveryDistance > 0)
        {
            Associate(detections, _highDetections, 0f, timestamp, _options.RecoveryDistance);
        }

        // Third stage: new tracks waiting for their confirming detection, from the confident ones left.
        SelectCandidates(static track => track.State == TrackState.Tentative);

        Associate(detections, _highDetections, _options.TentativeMatchIou, timestamp);

        RemoveStaleTracks(timestamp);
        StartTracks(detections, timestamp, confirmAtOnce: firstFrame || _options.ConfirmHits == 1);
        UpdateStationary(timestamp);

        return new TrackingFrame(camera, sequence, capturedAt, timestamp, width, height, Snapshot(), EndedIds());
    }

    /// <inheritdoc/>
    public void Hold(TimeSpan until)
    {
        if (_lastTimestamp is not { } last || until <= last)
        {
            return;
        }

        var gap = until - last;
        foreach (var track in _tracks)
        {
            if (track.State == TrackState.Tracked)
            {
                track.LastDetectedAt += gap;
            }
        }

        _lastTimestamp = until;
    }

    /// <summary>Makes the tracks <paramref name="eligible"/> accepts the candidates of the next association stage.</summary>
    private void SelectCandidates(Func<TrackedObject, bool> eligible)
    {
        _candidateTracks.Clear();
        for (var i = 0; i < _tracks.Count; i++)
        {
            if (eligible(_tracks[i]))
            {
                _candidateTracks.Add(i);
            }
        }
    }

    /// <summary>Whether most of <paramref name="box"/> (70 %) lies inside one of the regions.</summary>
    private static bool Covered(BoxF box, IReadOnlyList<BoxF> regions)
    {
        var area = box.Area;
        foreach (var region in regions)
        {
            if (area <= 0 ? region.X1 <= box.X1 && box.X1 <= region.X2 && region.Y1 <= box.Y1 && box.Y1 <= region.Y2 : box.IntersectionArea(region) >= 0.7f * area)
            {
                return true;
            }
        }

        return false;
    }

    private void CopyAppearances(ReadOnlySpan<float> appearances, int count)
    {
        _appearanceCount = appearances.IsEmpty ? 0 : count;
        if (_appearances.Length < appearances.Length)
        {
            _appearances = new float[Math.Max(appearances.Length, _appearances.Length * 2)];
        }

        appearances.CopyTo(_appearances);
    }

    /// <summary>The signature of detection <paramref name="index"/> this frame; empty when it has none.</summary>
    private ReadOnlySpan<float> AppearanceOf(int index)
    {
        if (index >= _appearanceCount)
        {
            return [];
        }

        var signature = _appearances.AsSpan(index * ColourNamer.DescriptorLength, ColourNamer.DescriptorLength);
        return float.IsNaN(signature[0]) ? [] : signature;
    }

    /// <summary>
    /// The appearance part of a pairing's cost: <see cref="TrackerOptions.AppearanceWeight"/> × (1 − upper-body
    /// similarity), or never when both upper and lower body differ past the gates; nothing where either side
    /// has no signature yet.
    /// </summary>
    private float AppearanceCost(TrackedObject track, int detectionIndex)
    {
        var seen = AppearanceOf(detectionIndex);
        if (track.Appearance is not { } known || seen.IsEmpty)
        {
            return 0f;
        }

        var upper = ColourNamer.UpperSimilarity(known, seen);
        if (upper < _options.UpperAppearanceGate && ColourNamer.LowerSimilarity(known, seen) < _options.LowerAppearanceGate && !Overlapped(detectionIndex))
        {
            return NeverCost;
        }

        return _options.AppearanceWeight * (1f - upper);
    }

    /// <summary>
    /// Whether another detection covers a fifth or more of this one's box: its pixels are then partly someone
    /// else's, and its colours must not teach the track what it looks like.
    /// </summary>
    private bool Overlapped(int detectionIndex)
    {
        var box = _boxes[detectionIndex];
        var area = box.Width * box.Height;
        for (var other = 0; other < _detectionCount; other++)
        {
            if (other != detectionIndex && box.IntersectionArea(_boxes[other]) >= 0.2f * area)
            {
                return true;
            }
        }

        return false;
    }

    private void SortDetections(IReadOnlyList<Detection> detections)
    {
        var count = detections.Count;
        if (_boxes.Length < count)
        {
            _boxes = new BoxF[Math.Max(count, _boxes.Length * 2)];
            _detectionTaken = new bool[_boxes.Length];
        }

        _detectionCount = count;
        _highDetections.Clear();
        _lowDetections.Clear();
        for (var i = 0; i < count; i++)
        {
            var detection = detections[i];
            _boxes[i] = new BoxF(detection.X1, detection.Y1, detection.X2, detection.Y2);
            _detectionTaken[i] = false;
            if (detection.Score >= _options.HighScoreThreshold)
            {
                _highDetections.Add(i);
            }
            else if (detection.Score >= _options.LowScoreThreshold)
            {
                _lowDetections.Add(i);
            }
        }
    }

    /// <summary>
    /// Optimal assignment of <see cref="_candidateTracks"/> to the untaken detections of <paramref name="pool"/>.
    /// By IoU with the predicted box (at least <paramref name="minIou"/>), or — when <paramref name="maxDistance"/>
    /// is given — by the distance between centres in track heights, for boxes of similar height (within 1.5×).
    /// </summary>
    private void Associate(IReadOnlyList<Detection> detections, List<int> pool, float minIou, TimeSpan timestamp, float maxDistance = 0)
    {
        _candidateDetections.Clear();
        foreach (var index in pool)
        {
            if (!_detectionTaken[index])
            {
                _candidateDetections.Add(index);
            }
        }

        var rows = _candidateTracks.Count;
        var columns = _candidateDetections.Count;
        if (rows == 0 || columns == 0)
        {
            return;
        }

        if (_costs.Length < rows * columns)
        {
            _costs = new float[Math.Max(rows * columns, _costs.Length * 2)];
        }

        if (_rowToColumn.Length < rows)
        {
            _rowToColumn = new int[Math.Max(rows, _rowToColumn.Length * 2)];
        }

        for (var row = 0; row < rows; row++)
        {
            var track = _tracks[_candidateTracks[row]];
            var predicted = track.Motion.Box;
            for (var column = 0; column < columns; column++)
            {
                var detectionIndex = _candidateDetections[column];
                var cost = detections[detectionIndex].ClassId != track.ClassId
                    ? NeverCost
                    : maxDistance > 0 ? DistanceCost(predicted, _boxes[detectionIndex], maxDistance) : IouCost(predicted, _boxes[detectionIndex], minIou);
                _costs[(row * columns) + column] = cost < NeverCost ? cost + AppearanceCost(track, detectionIndex) : cost;
            }
        }

        var gate = (maxDistance > 0 ? 1f : 1f - minIou) + _options.AppearanceWeight;
        _assignment.Solve(_costs.AsSpan(0, rows * columns), rows, columns, gate, _rowToColumn.AsSpan(0, rows));
        for (var row = 0; row < rows; row++)
        {
            var column = _rowToColumn[row];
            if (column < 0 || _costs[(row * columns) + column] >= NeverCost)
            {
                continue;
            }

            var detectionIndex = _candidateDetections[column];
            _detectionTaken[detectionIndex] = true;
            Continue(_tracks[_candidateTracks[row]], detections[detectionIndex], detectionIndex, timestamp);
        }
    }

    private static float IouCost(BoxF predicted, BoxF box, float minIou)
    {
        var iou = predicted.IntersectionOverUnion(box);
        return iou >= minIou ? 1f - iou : NeverCost;
    }

    private static float DistanceCost(BoxF predicted, BoxF box, float maxDistance)
    {
        var height = Math.Max(predicted.Height, 1f);
        var ratio = box.Height / height;
        if (ratio is < 1 / 1.5f or > 1.5f)
        {
            return NeverCost;
        }

        var dx = ((box.X1 + box.X2) - (predicted.X1 + predicted.X2)) / 2;
        var dy = ((box.Y1 + box.Y2) - (predicted.Y1 + predicted.Y2)) / 2;
        var distance = MathF.Sqrt((dx * dx) + (dy * dy)) / height;
        return distance <= maxDistance ? distance / maxDistance : NeverCost;
    }

    private void Continue(TrackedObject track, Detection detection, int detectionIndex, TimeSpan timestamp)
    {
        var box = _boxes[detectionIndex];
        if (detection.Score >= _options.HighScoreThreshold && !Overlapped(detectionIndex))
        {
            Remember(track, AppearanceOf(detectionIndex));
        }

        track.Motion.Update(box);
        track.DetectedBox = box;
        track.Score = detection.Score;
        track.LastDetectedAt = timestamp;
        track.DetectedThisFrame = true;
        if (track.State == TrackState.Tentative)
        {
            track.Hits++;
            if (track.Hits >= _options.ConfirmHits)
            {
                Confirm(track);
            }
        }
        else
        {
            track.State = TrackState.Tracked;
        }
    }

    /// <summary>
    /// Folds an unobstructed confident detection's signature into the track's, a tenth at a time, so that
    /// lighting may change it slowly while one odd frame cannot.
    /// </summary>
    private static void Remember(TrackedObject track, ReadOnlySpan<float> seen)
    {
        if (seen.IsEmpty)
        {
            return;
        }

        track.AppearanceSamples++;
        if (track.Appearance is not { } known)
        {
            track.Appearance = seen.ToArray();
            return;
        }

        for (var i = 0; i < known.Length; i++)
        {
            known[i] = (0.9f * known[i]) + (0.1f * seen[i]);
        }
    }

    private void Confirm(TrackedObject track)
    {
        track.Id = ++_lastId;
        track.State = TrackState.Tracked;
    }

    /// <summary>
    /// Drops tentative tracks that missed their confirming detection (a confirmation needs consecutive hits)
    /// and coasting tracks older than the buffer; the latter are reported as ended.
    /// </summary>
    private void RemoveStaleTracks(TimeSpan timestamp)
    {
        var kept = 0;
        for (var i = 0; i < _tracks.Count; i++)
        {
            var track = _tracks[i];
            var stale = track.State switch
            {
                TrackState.Tentative => !track.DetectedThisFrame,
                TrackState.Lost => timestamp - track.LastDetectedAt > _options.TrackBuffer,
                _ => false,
            };

            if (!stale)
            {
                _tracks[kept++] = track;
            }
            else if (track.Id != 0)
            {
                _endedIds.Add(track.Id);
            }
        }

        _tracks.RemoveRange(kept, _tracks.Count - kept);
    }

    private void StartTracks(IReadOnlyList<Detection> detections, TimeSpan timestamp, bool confirmAtOnce)
    {
        foreach (var index in _highDetections)
        {
            if (_detectionTaken[index])
            {
                continue;
            }

            var detection = detections[index];
            var track = new TrackedObject(detection.ClassId, detection.Label, detection.Score, _boxes[index], timestamp);
            if (!Overlapped(index))
            {
                Remember(track, AppearanceOf(index));
            }
            if (confirmAtOnce)
            {
                Confirm(track);
            }

            _tracks.Add(track);
        }
    }

    /// <summary>
    /// Still below <see cref="TrackerOptions.StationarySpeed"/> for the hold time → stationary; above
    /// <see cref="TrackerOptions.MovingSpeed"/> → moving at once. Between the two nothing changes. Only frames
    /// with a detection count: a coasting track's velocity is the filter's guess, not an observation.
    /// </summary>
    private void UpdateStationary(TimeSpan timestamp)
    {
        foreach (var track in _tracks)
        {
            if (!track.DetectedThisFrame)
            {
                continue;
            }

            var box = track.Motion.Box;
            var size = MathF.Sqrt(box.Width * box.Height);
            var speed = MathF.Sqrt((track.Motion.VelocityX * track.Motion.VelocityX) + (track.Motion.VelocityY * track.Motion.VelocityY)) / size;
            if (speed > _options.MovingSpeed)
            {
                track.StillSince = null;
                track.IsStationary = false;
            }
            else if (speed < _options.StationarySpeed)
            {
                track.StillSince ??= timestamp;
                if (timestamp - track.StillSince.Value >= _options.StationaryHold)
                {
                    track.IsStationary = true;
                }
            }
            else if (!track.IsStationary)
            {
                track.StillSince = null;
            }
        }
    }

    private TrackSnapshot[] Snapshot()
    {
        var count = 0;
        foreach (var track in _tracks)
        {
            if (track.Id != 0)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        // A new array every frame: callers keep frames, so nothing handed out is reused.
        var snapshots = new TrackSnapshot[count];
        var next = 0;
        foreach (var track in _tracks)
        {
            if (track.Id == 0)
            {
                continue;
            }

            snapshots[next++] = new TrackSnapshot(
                track.Id,
                track.ClassId,
                track.Label,
                track.Score,
                track.ReportedBox,
                track.Motion.VelocityX,
                track.Motion.VelocityY,
                track.IsStationary,
                track.DetectedThisFrame)
            {
                Unseen = track.UnseenThisFrame,
            };
        }

        return snapshots;
    }

    private int[] EndedIds() => _endedIds.Count == 0 ? [] : _endedIds.ToArray();

    private void EndAll()
    {
        foreach (var track in _tracks)
        {
            if (track.Id != 0)
            {
                _endedIds.Add(track.Id);
            }
        }

        _tracks.Clear();
    }
}
