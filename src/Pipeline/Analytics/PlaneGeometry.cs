namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Point, segment and polygon tests in image coordinates. Products are taken in double so that pixel
/// coordinates of a 4K frame keep their exactness when multiplied.
/// </summary>
internal static class PlaneGeometry
{
    /// <summary>
    /// Twice the signed area of the triangle (a, b, p). With y pointing down, the value is negative when p lies to
    /// the left of a→b as seen on the displayed image (standing at a, facing b), positive to the right, zero on the line.
    /// </summary>
    public static double Cross(ImagePoint a, ImagePoint b, ImagePoint p) =>
        ((double)b.X - a.X) * ((double)p.Y - a.Y) - ((double)b.Y - a.Y) * ((double)p.X - a.X);

    /// <summary>Signed distance in pixels from p to the infinite line through a and b; negative on the left of a→b (see <see cref="Cross"/>).</summary>
    public static double SignedDistance(ImagePoint a, ImagePoint b, ImagePoint p)
    {
        var length = Math.Sqrt(((double)b.X - a.X) * ((double)b.X - a.X) + ((double)b.Y - a.Y) * ((double)b.Y - a.Y));
        return length == 0 ? 0 : Cross(a, b, p) / length;
    }

    /// <summary>Whether p lies on the closed segment a–b.</summary>
    public static bool IsOnSegment(ImagePoint a, ImagePoint b, ImagePoint p) =>
        Cross(a, b, p) == 0 && WithinBounds(a, b, p);

    /// <summary>Whether the closed segments p1–p2 and q1–q2 share at least one point (touching counts).</summary>
    public static bool SegmentsIntersect(ImagePoint p1, ImagePoint p2, ImagePoint q1, ImagePoint q2)
    {
        var d1 = Math.Sign(Cross(q1, q2, p1));
        var d2 = Math.Sign(Cross(q1, q2, p2));
        var d3 = Math.Sign(Cross(p1, p2, q1));
        var d4 = Math.Sign(Cross(p1, p2, q2));

        if (d1 * d2 < 0 && d3 * d4 < 0)
        {
            return true;
        }

        return (d1 == 0 && WithinBounds(q1, q2, p1))
            || (d2 == 0 && WithinBounds(q1, q2, p2))
            || (d3 == 0 && WithinBounds(p1, p2, q1))
            || (d4 == 0 && WithinBounds(p1, p2, q2));
    }

    /// <summary>
    /// Whether p lies inside the polygon or on its boundary. Crossing-number test with the half-open rule on
    /// vertex heights, so a ray through a vertex is counted once and concave outlines work; the boundary is
    /// checked first because the half-open rule alone would put points on some edges outside.
    /// </summary>
    public static bool ContainsPoint(ReadOnlySpan<ImagePoint> polygon, ImagePoint p)
    {
        var inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            var a = polygon[j];
            var b = polygon[i];
            if (IsOnSegment(a, b, p))
            {
                return true;
            }

            if ((a.Y > p.Y) != (b.Y > p.Y))
            {
                var xAtY = a.X + ((double)p.Y - a.Y) * ((double)b.X - a.X) / ((double)b.Y - a.Y);
                if (p.X < xAtY)
                {
                    inside = !inside;
                }
            }
        }

        return inside;
    }

    /// <summary>
    /// The first pair of edges that meet other than at their shared vertex, as edge indices (edge i runs from
    /// vertex i to vertex i+1, wrapping), or null when the outline is simple. Every pair of non-adjacent edges is
    /// tested; adjacent edges are tested for folding back over each other.
    /// </summary>
    public static (int First, int Second)? FindSelfIntersection(ReadOnlySpan<ImagePoint> polygon)
    {
        var n = polygon.Length;
        for (var i = 0; i < n; i++)
        {
            var a1 = polygon[i];
            var a2 = polygon[(i + 1) % n];
            for (var j = i + 1; j < n; j++)
            {
                var b1 = polygon[j];
                var b2 = polygon[(j + 1) % n];
                var adjacent = j == i + 1 || (i == 0 && j == n - 1);
                if (!adjacent)
                {
                    if (SegmentsIntersect(a1, a2, b1, b2))
                    {
                        return (i, j);
                    }
                }
                else if (FoldsBack(a1, a2, b1, b2, j == i + 1))
                {
                    return (i, j);
                }
            }
        }

        return null;
    }

    // Adjacent edges share one vertex; they overlap only when collinear and pointing back over each other.
    private static bool FoldsBack(ImagePoint a1, ImagePoint a2, ImagePoint b1, ImagePoint b2, bool aThenB)
    {
        var (shared, aFar, bFar) = aThenB ? (a2, a1, b2) : (a1, a2, b1);
        if (Cross(shared, aFar, bFar) != 0)
        {
            return false;
        }

        var dot = ((double)aFar.X - shared.X) * ((double)bFar.X - shared.X) + ((double)aFar.Y - shared.Y) * ((double)bFar.Y - shared.Y);
        return dot > 0;
    }

    private static bool WithinBounds(ImagePoint a, ImagePoint b, ImagePoint p) =>
        p.X >= Math.Min(a.X, b.X) && p.X <= Math.Max(a.X, b.X) && p.Y >= Math.Min(a.Y, b.Y) && p.Y <= Math.Max(a.Y, b.Y);
}
