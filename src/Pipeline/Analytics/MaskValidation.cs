using System.Globalization;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>The checks of one mask polygon that do not need the frame's size, each under the mask's configuration key.</summary>
internal static class MaskValidation
{
    public static void Check(List<string> errors, string key, MaskOptions? mask)
    {
        if (mask is null || mask.Points is null || mask.Points.Count < 3)
        {
            errors.Add($"{key}:Points: a mask needs at least 3 points, found {mask?.Points?.Count ?? 0}");
            return;
        }

        var outline = new ImagePoint[mask.Points.Count];
        for (var i = 0; i < mask.Points.Count; i++)
        {
            var point = mask.Points[i];
            if (point is not { Length: 2 })
            {
                errors.Add($"{key}:Points:{i}: a point is [x, y], found {point?.Length ?? 0} values");
                return;
            }

            if (!float.IsFinite(point[0]) || !float.IsFinite(point[1]) || point[0] < 0 || point[1] < 0)
            {
                errors.Add($"{key}:Points:{i}: [{Format(point[0])}, {Format(point[1])}] has a negative or non-finite coordinate");
                return;
            }

            if (mask.Normalized == true && (point[0] > 1 || point[1] > 1))
            {
                errors.Add($"{key}:Points:{i}: [{Format(point[0])}, {Format(point[1])}] is outside 0–1 while Normalized is true");
                return;
            }

            outline[i] = new ImagePoint(point[0], point[1]);
        }

        var area = 0.0;
        for (var i = 0; i < outline.Length; i++)
        {
            var a = outline[i];
            var b = outline[(i + 1) % outline.Length];
            area += ((double)a.X * b.Y) - ((double)b.X * a.Y);
        }

        if (PlaneGeometry.FindSelfIntersection(outline) is var (first, second))
        {
            errors.Add($"{key}:Points: the outline crosses itself: edge {first} meets edge {second}");
        }
        else if (area == 0)
        {
            errors.Add($"{key}:Points: the outline has no area");
        }
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
