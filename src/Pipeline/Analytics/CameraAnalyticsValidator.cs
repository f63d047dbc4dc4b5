using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Checks one camera's analytics options and returns every problem at once, each prefixed with its full
/// configuration key, so that a bad zone is fixed in one round before any camera opens.
/// </summary>
public static partial class CameraAnalyticsValidator
{
    /// <summary>Words the topic layout uses at the levels where camera, zone and line names go; a zone named "all" would shadow the whole-view count, a camera named "detect" would read like a command.</summary>
    public static readonly IReadOnlySet<string> ReservedNames =
        new HashSet<string>(["all", "status", "stats", "detections", "events", "captions", "snapshot", "set", "detect", "state"], StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex RegionName();

    /// <param name="options">The camera's analytics section.</param>
    /// <param name="key">Configuration key of that section, e.g. "EdgeVision:Cameras:0".</param>
    /// <param name="knownLabels">Labels of the loaded model; filters may name only these.</param>
    public static List<string> Validate(CameraAnalyticsOptions options, string key, IReadOnlyCollection<string> knownLabels)
    {
        var errors = new List<string>();
        var labels = knownLabels as IReadOnlySet<string> ?? new HashSet<string>(knownLabels, StringComparer.Ordinal);

        if (options.Mode is not (CameraAnalyticsOptions.TrackMode or CameraAnalyticsOptions.DetectOnlyMode))
        {
            errors.Add($"{key}:Mode: must be '{CameraAnalyticsOptions.TrackMode}' or '{CameraAnalyticsOptions.DetectOnlyMode}', found '{options.Mode}'");
        }

        CheckFilter(errors, key, options.Labels, options.MinScore, minArea: 0, labels);
        Require(errors, options.ZoneEnterFrames is >= 1 and <= 1000, $"{key}:ZoneEnterFrames: must be 1 to 1000, found {options.ZoneEnterFrames}");
        Require(errors, options.ZoneLeaveFrames is >= 1 and <= 1000, $"{key}:ZoneLeaveFrames: must be 1 to 1000, found {options.ZoneLeaveFrames}");
        Require(errors, options.LineMargin is >= 0 and <= 1, $"{key}:LineMargin: must be 0 to 1 (a fraction of the box height), found {Format(options.LineMargin)}");
        Require(errors, options.BetterSnapshotMargin >= 0, $"{key}:BetterSnapshotMargin: must not be negative");
        Require(errors, options.BetterSnapshotInterval >= TimeSpan.Zero, $"{key}:BetterSnapshotInterval: must not be negative");

        foreach (var (label, filter) in options.Filters ?? [])
        {
            CheckLabelFilter(errors, $"{key}:Filters:{label}", label, filter, labels);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Zones.Count; i++)
        {
            var zone = options.Zones[i];
            var zoneKey = $"{key}:Zones:{i}";
            CheckName(errors, zoneKey, zone.Name, names);
            CheckOutline(errors, zoneKey, zone);
            CheckFilter(errors, zoneKey, zone.Labels, zone.MinScore, zone.MinArea, labels);
        }

        if (options.Lines.Count > 0 && options.Mode == CameraAnalyticsOptions.DetectOnlyMode)
        {
            errors.Add($"{key}:Lines: counting lines needs tracks; Mode is '{CameraAnalyticsOptions.DetectOnlyMode}'");
        }

        for (var i = 0; i < options.Lines.Count; i++)
        {
            var line = options.Lines[i];
            var lineKey = $"{key}:Lines:{i}";
            CheckName(errors, lineKey, line.Name, names);
            CheckSegment(errors, lineKey, line);
            if (line.InDirection is not (LineOptions.LeftToRight or LineOptions.RightToLeft))
            {
                errors.Add($"{lineKey}:InDirection: must be '{LineOptions.LeftToRight}' or '{LineOptions.RightToLeft}', found '{line.InDirection}'");
            }

            CheckFilter(errors, lineKey, line.Labels, line.MinScore, line.MinArea, labels);
        }

        return errors;
    }

    private static void CheckName(List<string> errors, string key, string? name, HashSet<string> seen)
    {
        if (!RegionName().IsMatch(name ?? string.Empty))
        {
            errors.Add($"{key}:Name: '{name}' must be 1 to 64 characters of a-z, 0-9, '_' or '-' (it becomes part of MQTT topics)");
        }
        else if (ReservedNames.Contains(name!))
        {
            errors.Add($"{key}:Name: '{name}' is a reserved topic word ({string.Join(", ", ReservedNames)})");
        }
        else if (!seen.Add(name!))
        {
            errors.Add($"{key}:Name: '{name}' is used by another zone or line of this camera");
        }
    }

    private static void CheckOutline(List<string> errors, string key, ZoneOptions zone)
    {
        var points = zone.Points;
        if (points.Count < 3)
        {
            errors.Add($"{key}:Points: a zone needs at least 3 points, found {points.Count}");
            return;
        }

        if (!CheckPoints(errors, $"{key}:Points", points, zone.Normalized))
        {
            return;
        }

        // Scale does not change whether edges cross, so the test runs on the configured numbers.
        var outline = new ImagePoint[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            outline[i] = new ImagePoint(points[i][0], points[i][1]);
        }

        for (var i = 0; i < outline.Length; i++)
        {
            if (outline[i] == outline[(i + 1) % outline.Length])
            {
                errors.Add($"{key}:Points:{(i + 1) % outline.Length}: repeats the point before it {Format(outline[i])}");
                return;
            }
        }

        if (AllOnOneLine(outline))
        {
            errors.Add($"{key}:Points: all points are on one line; a zone needs an area");
        }
        else if (PlaneGeometry.FindSelfIntersection(outline) is var (first, second))
        {
            errors.Add($"{key}:Points: the outline crosses itself: edge {first} {Format(outline[first])}→{Format(outline[(first + 1) % outline.Length])} " +
                $"meets edge {second} {Format(outline[second])}→{Format(outline[(second + 1) % outline.Length])}");
        }
    }

    // Checked before crossings: a flat outline folds back on itself, and "no area" says what is wrong more plainly.
    private static bool AllOnOneLine(ImagePoint[] outline)
    {
        for (var i = 2; i < outline.Length; i++)
        {
            if (PlaneGeometry.Cross(outline[0], outline[1], outline[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckSegment(List<string> errors, string key, LineOptions line)
    {
        var aOk = CheckPoints(errors, $"{key}:A", [line.A], line.Normalized, indexKeys: false);
        var bOk = CheckPoints(errors, $"{key}:B", [line.B], line.Normalized, indexKeys: false);
        if (aOk && bOk && line.A[0] == line.B[0] && line.A[1] == line.B[1])
        {
            errors.Add($"{key}:B: the same point as A {Format(new ImagePoint(line.A[0], line.A[1]))}; a line needs a length");
        }
    }

    /// <summary>Shape and range of each [x, y]; false when some point cannot be used as a point at all.</summary>
    private static bool CheckPoints(List<string> errors, string key, List<float[]> points, bool? normalized, bool indexKeys = true)
    {
        var usable = true;
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            var pointKey = indexKeys ? $"{key}:{i}" : key;
            if (point is not { Length: 2 })
            {
                errors.Add($"{pointKey}: a point is [x, y], found {point?.Length ?? 0} values");
                usable = false;
            }
            else if (!float.IsFinite(point[0]) || !float.IsFinite(point[1]) || point[0] < 0 || point[1] < 0)
            {
                errors.Add($"{pointKey}: {Format(new ImagePoint(point[0], point[1]))} has a negative or non-finite coordinate");
                usable = false;
            }
            else if (normalized == true && (point[0] > 1 || point[1] > 1))
            {
                errors.Add($"{pointKey}: {Format(new ImagePoint(point[0], point[1]))} is outside 0–1 while Normalized is true");
                usable = false;
            }
        }

        return usable;
    }

    private static void CheckFilter(List<string> errors, string key, List<string> filterLabels, float minScore, float minArea, IReadOnlySet<string> known)
    {
        for (var i = 0; i < filterLabels.Count; i++)
        {
            if (!known.Contains(filterLabels[i]))
            {
                errors.Add($"{key}:Labels:{i}: unknown label '{filterLabels[i]}' (the model knows {known.Count} labels, e.g. {string.Join(", ", known.Take(5))})");
            }
        }

        Require(errors, minScore is >= 0 and <= 1, $"{key}:MinScore: must be 0 to 1, found {Format(minScore)}");
        Require(errors, minArea >= 0 && float.IsFinite(minArea), $"{key}:MinArea: must be 0 or more (up to 1 a fraction of the frame, above 1 square pixels), found {Format(minArea)}");
    }

    private static void CheckLabelFilter(List<string> errors, string key, string label, LabelFilterOptions? filter, IReadOnlySet<string> known)
    {
        if (!known.Contains(label))
        {
            errors.Add($"{key}: unknown label '{label}' (the model knows {known.Count} labels, e.g. {string.Join(", ", known.Take(5))})");
        }

        if (filter is null)
        {
            return;
        }

        CheckFilter(errors, key, [], filter.MinScore, filter.MinArea, known);
        Require(errors, filter.MaxArea >= 0 && float.IsFinite(filter.MaxArea), $"{key}:MaxArea: must be 0 (no limit) or more (up to 1 a fraction of the frame, above 1 square pixels), found {Format(filter.MaxArea)}");

        // Fractions and square pixels compare only within one unit; across units the frame's size decides.
        if (filter.MaxArea > 0 && (filter.MinArea <= 1) == (filter.MaxArea <= 1) && filter.MaxArea < filter.MinArea)
        {
            errors.Add($"{key}:MaxArea: {Format(filter.MaxArea)} is below MinArea {Format(filter.MinArea)}; no box could pass");
        }

        Require(errors, filter.MinRatio >= 0 && float.IsFinite(filter.MinRatio), $"{key}:MinRatio: must be 0 (no limit) or more (width ÷ height), found {Format(filter.MinRatio)}");
        Require(errors, filter.MaxRatio >= 0 && float.IsFinite(filter.MaxRatio), $"{key}:MaxRatio: must be 0 (no limit) or more (width ÷ height), found {Format(filter.MaxRatio)}");
        if (filter.MaxRatio > 0 && filter.MaxRatio < filter.MinRatio)
        {
            errors.Add($"{key}:MaxRatio: {Format(filter.MaxRatio)} is below MinRatio {Format(filter.MinRatio)}; no box could pass");
        }

        for (var i = 0; i < (filter.Masks?.Count ?? 0); i++)
        {
            MaskValidation.Check(errors, $"{key}:Masks:{i}", filter.Masks![i]);
        }
    }

    private static void Require(List<string> errors, bool condition, string message)
    {
        if (!condition)
        {
            errors.Add(message);
        }
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(ImagePoint p) => $"[{Format(p.X)}, {Format(p.Y)}]";
}
