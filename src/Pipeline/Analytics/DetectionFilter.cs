using EdgeVision.Models;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// One camera's label filters (<see cref="CameraAnalyticsOptions.Filters"/>) applied to a frame's detections in
/// source pixels. Areas and masks are resolved to pixels for the frame's size, again only when it changes. A frame
/// whose detections all pass keeps its array; only a frame that loses some gets a new, shorter one.
/// </summary>
internal sealed class DetectionFilter
{
    private readonly Dictionary<string, Rule> _rules;
    private int _width = -1;
    private int _height = -1;

    private DetectionFilter(Dictionary<string, LabelFilterOptions> filters)
    {
        // A label given without conditions ("person": null in the file) filters nothing.
        _rules = filters.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => new Rule(f.Value), StringComparer.Ordinal);
    }

    /// <summary>The camera's filter, or null when it has none.</summary>
    public static DetectionFilter? For(CameraAnalyticsOptions options) =>
        options.Filters.Count == 0 ? null : new DetectionFilter(options.Filters);

    /// <returns><paramref name="detections"/> itself when every detection passes; otherwise a new array of those that do, in order.</returns>
    public Detection[] Apply(Detection[] detections, int width, int height, out int dropped)
    {
        dropped = 0;
        if (detections.Length == 0)
        {
            return detections;
        }

        if (width != _width || height != _height)
        {
            foreach (var rule in _rules.Values)
            {
                rule.Resolve(width, height);
            }

            (_width, _height) = (width, height);
        }

        foreach (var detection in detections)
        {
            if (!Passes(detection))
            {
                dropped++;
            }
        }

        if (dropped == 0)
        {
            return detections;
        }

        var kept = new Detection[detections.Length - dropped];
        var next = 0;
        foreach (var detection in detections)
        {
            if (Passes(detection))
            {
                kept[next++] = detection;
            }
        }

        return kept;
    }

    private bool Passes(in Detection detection) => !_rules.TryGetValue(detection.Label, out var rule) || rule.Passes(detection);

    private sealed class Rule(LabelFilterOptions options)
    {
        private float _minAreaPixels;
        private float _maxAreaPixels;
        private ImagePoint[][] _masks = [];

        public void Resolve(int width, int height)
        {
            _minAreaPixels = RegionCoordinates.AreaInPixels(options.MinArea, width, height);
            _maxAreaPixels = options.MaxArea > 0 ? RegionCoordinates.AreaInPixels(options.MaxArea, width, height) : 0;
            _masks = (options.Masks ?? []).Select(mask =>
            {
                var normalized = RegionCoordinates.IsNormalized(mask.Normalized, mask.Points);
                return mask.Points.Select(p => RegionCoordinates.ToPixels(p, normalized, width, height)).ToArray();
            }).ToArray();
        }

        public bool Passes(in Detection d)
        {
            if (d.Score < options.MinScore || d.Area < _minAreaPixels || (_maxAreaPixels > 0 && d.Area > _maxAreaPixels))
            {
                return false;
            }

            var ratio = d.Height > 0 ? d.Width / d.Height : float.PositiveInfinity;
            if ((options.MinRatio > 0 && ratio < options.MinRatio) || (options.MaxRatio > 0 && ratio > options.MaxRatio))
            {
                return false;
            }

            var standsAt = new ImagePoint((d.X1 + d.X2) / 2, d.Y2);
            foreach (var mask in _masks)
            {
                if (PlaneGeometry.ContainsPoint(mask, standsAt))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
