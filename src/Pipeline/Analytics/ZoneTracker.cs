namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Decides which zones of a camera each track is in, tested at the bottom-centre of its box, with hysteresis:
/// a change of membership needs <c>enterFrames</c> (or <c>leaveFrames</c>) consecutive frames that agree, and is
/// dated from the first of them, so dwell times do not include the confirmation delay.
/// </summary>
internal sealed class ZoneTracker
{
    private readonly string[] _names;
    private readonly float[][][] _points;
    private readonly bool[] _normalized;
    private readonly ImagePoint[][] _outlines;
    private readonly ObjectFilter[] _filters;
    private readonly int _enterFrames;
    private readonly int _leaveFrames;
    private AppliedFrameSize _size;

    public ZoneTracker(IReadOnlyList<ZoneOptions> zones, int enterFrames = 3, int leaveFrames = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(enterFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(leaveFrames, 1);
        _enterFrames = enterFrames;
        _leaveFrames = leaveFrames;
        _names = new string[zones.Count];
        _points = new float[zones.Count][][];
        _normalized = new bool[zones.Count];
        _outlines = new ImagePoint[zones.Count][];
        _filters = new ObjectFilter[zones.Count];
        for (var i = 0; i < zones.Count; i++)
        {
            var zone = zones[i];
            _names[i] = zone.Name;
            _points[i] = [.. zone.Points];
            _normalized[i] = RegionCoordinates.IsNormalized(zone.Normalized, zone.Points);
            _outlines[i] = new ImagePoint[zone.Points.Count];
            _filters[i] = new ObjectFilter(zone.Labels, zone.MinScore, zone.MinArea);
        }
    }

    public int Count => _names.Length;

    public string NameOf(int zone) => _names[zone];

    /// <summary>Scales normalised outlines and fractional areas to the frame; cheap when the size is unchanged.</summary>
    public void SetFrameSize(int width, int height)
    {
        if (!_size.Changes(width, height))
        {
            return;
        }

        for (var i = 0; i < _names.Length; i++)
        {
            for (var p = 0; p < _points[i].Length; p++)
            {
                _outlines[i][p] = RegionCoordinates.ToPixels(_points[i][p], _normalized[i], width, height);
            }

            _filters[i].SetFrameSize(width, height);
        }
    }

    /// <summary>The raw test for one frame, without hysteresis: the zone's filter and its outline.</summary>
    public bool Contains(int zone, TrackSnapshot track, float topScore)
    {
        if (!_filters[zone].Accepts(track, topScore))
        {
            return false;
        }

        var (x, y) = track.Box.BottomCentre;
        return PlaneGeometry.ContainsPoint(_outlines[zone], new ImagePoint(x, y));
    }

    /// <summary>Membership of a track on its first frame, taken as measured: there is nothing yet to flap from.</summary>
    public ZoneMembership Start(TrackSnapshot track, float topScore, TimeSpan at)
    {
        var membership = new ZoneMembership(_names.Length);
        for (var z = 0; z < _names.Length; z++)
        {
            if (Contains(z, track, topScore))
            {
                membership.Inside[z] = true;
                membership.Entered[z] = true;
                membership.EnteredAt[z] = at;
            }
        }

        return membership;
    }

    /// <summary>Applies one frame; returns which kinds of change were confirmed on it.</summary>
    public ZoneChange Update(ZoneMembership membership, TrackSnapshot track, float topScore, TimeSpan at)
    {
        var change = ZoneChange.None;
        for (var z = 0; z < _names.Length; z++)
        {
            var inside = Contains(z, track, topScore);
            if (inside == membership.Inside[z])
            {
                membership.Streak[z] = 0;
                continue;
            }

            if (membership.Streak[z]++ == 0)
            {
                membership.StreakSince[z] = at;
            }

            if (membership.Streak[z] < (inside ? _enterFrames : _leaveFrames))
            {
                continue;
            }

            membership.Streak[z] = 0;
            membership.Inside[z] = inside;
            if (inside)
            {
                membership.Entered[z] = true;
                membership.EnteredAt[z] = membership.StreakSince[z];
                change |= ZoneChange.Entered;
            }
            else
            {
                membership.Dwell[z] += membership.StreakSince[z] - membership.EnteredAt[z];
                change |= ZoneChange.Left;
            }
        }

        return change;
    }
}
