namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Detects tracks crossing the counting lines of a camera, by the path of the bottom-centre of their boxes.
/// </summary>
/// <remarks>
/// A side is known only once the point is farther than the margin (<c>marginFraction</c> × box height, at least
/// 2 px) from the line; inside that band the last known side stands. A crossing is the side changing while the
/// straight path from the last position clear on the old side to the first position clear on the new side passes
/// through the segment A–B (walking around the end of the line changes the side but counts nothing). Each track
/// counts at most once per direction per line: its first crossing, and later its first crossing back, so a person
/// who walks in and back out counts one "in" and one "out", while feet jittering on the line, or pacing back and
/// forth across it, never count more than that.
/// </remarks>
internal sealed class LineCounter
{
    private const float MinMarginPixels = 2;

    private readonly string[] _names;
    private readonly float[][] _a;
    private readonly float[][] _b;
    private readonly bool[] _normalized;
    private readonly bool[] _leftToRightIsIn;
    private readonly ImagePoint[] _start;
    private readonly ImagePoint[] _end;
    private readonly ObjectFilter[] _filters;
    private readonly float _marginFraction;
    private AppliedFrameSize _size;

    public LineCounter(IReadOnlyList<LineOptions> lines, float marginFraction = 0.1f)
    {
        _marginFraction = marginFraction;
        _names = new string[lines.Count];
        _a = new float[lines.Count][];
        _b = new float[lines.Count][];
        _normalized = new bool[lines.Count];
        _leftToRightIsIn = new bool[lines.Count];
        _start = new ImagePoint[lines.Count];
        _end = new ImagePoint[lines.Count];
        _filters = new ObjectFilter[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            _names[i] = line.Name;
            _a[i] = line.A;
            _b[i] = line.B;
            _normalized[i] = RegionCoordinates.IsNormalized(line.Normalized, [line.A, line.B]);
            _leftToRightIsIn[i] = line.InDirection != LineOptions.RightToLeft;
            _filters[i] = new ObjectFilter(line.Labels, line.MinScore, line.MinArea);
        }
    }

    public int Count => _names.Length;

    public string NameOf(int line) => _names[line];

    public void SetFrameSize(int width, int height)
    {
        if (!_size.Changes(width, height))
        {
            return;
        }

        for (var i = 0; i < _names.Length; i++)
        {
            _start[i] = RegionCoordinates.ToPixels(_a[i], _normalized[i], width, height);
            _end[i] = RegionCoordinates.ToPixels(_b[i], _normalized[i], width, height);
            _filters[i].SetFrameSize(width, height);
        }
    }

    /// <summary>The sides of a track on its first frame; a crossing needs a later frame.</summary>
    public LinePassage Start(TrackSnapshot track)
    {
        var passage = new LinePassage(_names.Length);
        for (var l = 0; l < _names.Length; l++)
        {
            var point = FootOf(track);
            var side = SideOf(l, point, track.Box.Height);
            if (side != 0)
            {
                passage.Side[l] = side;
                passage.LastClear[l] = point;
            }
        }

        return passage;
    }

    /// <summary>Applies one frame and appends the crossings it counted to <paramref name="hits"/>; returns how many.</summary>
    public int Update(LinePassage passage, TrackSnapshot track, float topScore, List<LineHit> hits)
    {
        var counted = 0;
        var point = FootOf(track);
        for (var l = 0; l < _names.Length; l++)
        {
            var side = SideOf(l, point, track.Box.Height);
            if (side == 0)
            {
                continue;
            }

            var previous = passage.Side[l];
            if (previous != 0 && previous != side
                && PlaneGeometry.SegmentsIntersect(passage.LastClear[l], point, _start[l], _end[l])
                && _filters[l].Accepts(track, topScore))
            {
                var leftToRight = previous < 0;
                var direction = leftToRight == _leftToRightIsIn[l] ? CrossingDirection.In : CrossingDirection.Out;
                ref var done = ref (direction == CrossingDirection.In ? ref passage.CountedIn[l] : ref passage.CountedOut[l]);
                if (!done)
                {
                    done = true;
                    hits.Add(new LineHit(l, direction));
                    counted++;
                }
            }

            passage.Side[l] = side;
            passage.LastClear[l] = point;
        }

        return counted;
    }

    private static ImagePoint FootOf(TrackSnapshot track)
    {
        var (x, y) = track.Box.BottomCentre;
        return new ImagePoint(x, y);
    }

    private sbyte SideOf(int line, ImagePoint point, float boxHeight)
    {
        var margin = Math.Max(MinMarginPixels, _marginFraction * boxHeight);
        var distance = PlaneGeometry.SignedDistance(_start[line], _end[line], point);
        return distance < -margin ? (sbyte)-1 : distance > margin ? (sbyte)1 : (sbyte)0;
    }
}
