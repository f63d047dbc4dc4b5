using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Pipeline.Motion;

/// <summary>
/// Joins the detections of one frame's regions into one list, as if the frame had been seen whole. Regions
/// overlap, so one object can be found in two: whole in one and cut by the edge of the other, or cut in both.
/// A box touching an edge of its region that lies inside the frame is "cut": it is dropped when another region
/// saw the same object whole, and two cut halves of one object are joined. Class-aware suppression then keeps
/// one box per object: by IoU, and a box lying mostly inside a better one of its class is its duplicate.
/// Not thread-safe: one inference stage owns it.
/// </summary>
internal sealed class RegionMerger
{
    // Within this many model pixels of a region's edge, a box counts as cut by it.
    private const float EdgeMarginNetworkPixels = 3f;

    // Share of the smaller box inside the other that makes them one object.
    private const float ContainedShare = 0.7f;

    private readonly float _iouThreshold;
    private readonly int[] _classGroups;
    private readonly List<(Detection Detection, bool Cut, int Region)> _found = new(capacity: 128);

    /// <param name="classGroups">Per class id, the class it counts as (the detector's NMS label groups); empty: each class alone.</param>
    public RegionMerger(float iouThreshold, int[]? classGroups = null)
    {
        if (!(iouThreshold is > 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "an IoU threshold is in (0, 1]");
        }

        _iouThreshold = iouThreshold;
        _classGroups = classGroups ?? [];
    }

    /// <summary>Starts a new frame of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public void Begin(int width, int height)
    {
        _found.Clear();
        FrameWidth = width;
        FrameHeight = height;
    }

    public int FrameWidth { get; private set; }

    public int FrameHeight { get; private set; }

    /// <summary>
    /// Adds the detections of one region, given in the region's own pixels (as the decoder mapped them through the
    /// region's letterbox), moved here to frame pixels.
    /// </summary>
    /// <param name="scale">Model pixels per frame pixel in this region.</param>
    public void Add(Rect region, float scale, List<Detection> detections, int regionIndex)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var margin = EdgeMarginNetworkPixels / scale;
        var innerLeft = region.X > 0;
        var innerTop = region.Y > 0;
        var innerRight = region.X + region.Width < FrameWidth;
        var innerBottom = region.Y + region.Height < FrameHeight;
        foreach (var local in detections)
        {
            var d = local with { X1 = local.X1 + region.X, Y1 = local.Y1 + region.Y, X2 = local.X2 + region.X, Y2 = local.Y2 + region.Y };
            var cut = (innerLeft && local.X1 <= margin)
                || (innerTop && local.Y1 <= margin)
                || (innerRight && local.X2 >= region.Width - margin)
                || (innerBottom && local.Y2 >= region.Height - margin);
            _found.Add((d, cut, regionIndex));
        }
    }

    /// <summary>The frame's detections, best first.</summary>
    public Detection[] Finish()
    {
        if (_found.Count == 0)
        {
            return [];
        }

        var alive = new bool[_found.Count];
        Array.Fill(alive, true);

        // Two cut boxes of one class from different regions that overlap are two halves of one object.
        for (var i = 0; i < _found.Count; i++)
        {
            for (var j = i + 1; j < _found.Count && alive[i]; j++)
            {
                var (a, aCut, aRegion) = _found[i];
                var (b, bCut, bRegion) = _found[j];
                if (alive[j] && aCut && bCut && aRegion != bRegion && SameKind(a, b) && Intersection(a, b) > 0
                    && Intersection(a, b) >= 0.3f * Math.Min(a.Area, b.Area))
                {
                    // The joined box takes the label of the better scored half (they differ only within a label group).
                    var best = b.Score > a.Score ? b : a;
                    var joined = new Detection(best.ClassId, best.Label, best.Score, Math.Min(a.X1, b.X1), Math.Min(a.Y1, b.Y1), Math.Max(a.X2, b.X2), Math.Max(a.Y2, b.Y2));
                    _found[i] = (joined, false, aRegion);
                    alive[j] = false;
                }
            }
        }

        // A cut box is dropped when a box of its class that is not cut covers most of it.
        for (var i = 0; i < _found.Count; i++)
        {
            var (cut, isCut, cutRegion) = _found[i];
            if (!alive[i] || !isCut)
            {
                continue;
            }

            for (var j = 0; j < _found.Count; j++)
            {
                var (whole, wholeCut, wholeRegion) = _found[j];
                if (wholeRegion != cutRegion && alive[j] && !wholeCut && SameKind(whole, cut) && Intersection(cut, whole) >= ContainedShare * cut.Area)
                {
                    alive[i] = false;
                    break;
                }
            }
        }

        // Each region's own boxes were already suppressed by the detector; here only boxes of different regions meet.
        var candidates = new List<(Detection Detection, int Region)>(_found.Count);
        for (var i = 0; i < _found.Count; i++)
        {
            if (alive[i])
            {
                candidates.Add((_found[i].Detection, _found[i].Region));
            }
        }

        candidates.Sort((a, b) => b.Detection.Score.CompareTo(a.Detection.Score));
        var kept = new List<(Detection Detection, int Region)>(candidates.Count);
        foreach (var (candidate, region) in candidates)
        {
            var duplicate = false;
            foreach (var (better, betterRegion) in kept)
            {
                if (!SameKind(better, candidate) || betterRegion == region)
                {
                    continue;
                }

                var overlap = Intersection(better, candidate);
                if (NonMaxSuppression.IntersectionOverUnion(better, candidate) > _iouThreshold || overlap >= ContainedShare * Math.Min(candidate.Area, better.Area))
                {
                    duplicate = true;
                    break;
                }
            }

            if (!duplicate)
            {
                kept.Add((candidate, region));
            }
        }

        var result = new Detection[kept.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = kept[i].Detection;
        }

        _found.Clear();
        return result;
    }

    /// <summary>Same class, or classes of one NMS label group.</summary>
    private bool SameKind(in Detection a, in Detection b) => NonMaxSuppression.SameGroup(_classGroups, a.ClassId, b.ClassId);

    private static float Intersection(in Detection a, in Detection b)
    {
        var w = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var h = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        return w > 0 && h > 0 ? w * h : 0;
    }
}
