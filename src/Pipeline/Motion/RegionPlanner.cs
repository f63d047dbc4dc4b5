using OpenCvSharp;

namespace EdgeVision.Pipeline.Motion;

/// <summary>
/// Chooses where in a large frame the detector looks: crops with the model's aspect, at least the model's input
/// size (never enlarged) and at most that size divided by the least scale (never shrunk below it), around the
/// boxes of motion and of followed objects. Boxes near each other share a crop when one crop covering both costs
/// no more pixels than two; a cluster too large for one crop is tiled; when the crops would outnumber those of a
/// sweep of the whole frame, the sweep is used instead. Not thread-safe (its working lists are reused).
/// </summary>
internal sealed class RegionPlanner
{
    // Share of a tile's side that neighbouring sweep tiles overlap by, so an object on a seam is whole in one of them.
    private const double SweepOverlap = 0.25;

    private readonly int _networkWidth;
    private readonly int _networkHeight;
    private readonly float _minScale;
    private readonly List<Rect> _clusters = new(capacity: 32);

    public RegionPlanner(int networkWidth, int networkHeight, float minScale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkHeight);
        if (!(minScale is > 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(minScale), minScale, "the least scale is in (0, 1]");
        }

        _networkWidth = networkWidth;
        _networkHeight = networkHeight;
        _minScale = minScale;
    }

    /// <summary>Largest crop: the model's input divided by the least scale.</summary>
    public int MaxRegionWidth => (int)Math.Floor(_networkWidth / _minScale);

    public int MaxRegionHeight => (int)Math.Floor(_networkHeight / _minScale);

    /// <summary>Whether a frame of this size goes to the detector whole: its letterbox scale is at least the least scale.</summary>
    public bool DetectsWhole(int width, int height) =>
        Math.Min((double)_networkWidth / width, (double)_networkHeight / height) >= _minScale - 1e-6;

    /// <summary>
    /// Replaces <paramref name="regions"/> with crops covering every box of <paramref name="boxes"/> (frame pixels,
    /// padded here) in a <paramref name="width"/>×<paramref name="height"/> frame; returns false when a sweep was
    /// cheaper and <paramref name="regions"/> holds the sweep instead.
    /// </summary>
    public bool Cover(IReadOnlyList<Rect> boxes, int width, int height, List<Rect> regions)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(regions);
        regions.Clear();
        var sweepCount = SweepCount(width, height);
        _clusters.Clear();
        foreach (var box in boxes)
        {
            var padded = Pad(box, width, height);
            if (padded.Width > 0 && padded.Height > 0)
            {
                _clusters.Add(padded);
            }
        }

        MergeClusters();
        foreach (var cluster in _clusters)
        {
            var (regionWidth, regionHeight) = RegionSizeFor(cluster.Width, cluster.Height);
            if (regionWidth <= MaxRegionWidth && regionHeight <= MaxRegionHeight)
            {
                regions.Add(Place(cluster, regionWidth, regionHeight, width, height));
            }
            else
            {
                AddTiles(cluster, width, height, regions);
            }

            if (regions.Count >= sweepCount)
            {
                Sweep(width, height, regions);
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces <paramref name="regions"/> with tiles of the largest crop covering the whole frame, overlapping by a quarter.</summary>
    public void Sweep(int width, int height, List<Rect> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        regions.Clear();
        AddTiles(new Rect(0, 0, width, height), width, height, regions);
    }

    /// <summary>How many crops a sweep of a frame of this size takes.</summary>
    public int SweepCount(int width, int height)
    {
        var tileWidth = Math.Min(MaxRegionWidth, width);
        var tileHeight = Math.Min(MaxRegionHeight, height);
        return TilesAlong(width, tileWidth) * TilesAlong(height, tileHeight);
    }

    private static int TilesAlong(int length, int tile)
    {
        if (tile >= length)
        {
            return 1;
        }

        var overlap = (int)(tile * SweepOverlap);
        return (int)Math.Ceiling((double)(length - overlap) / (tile - overlap));
    }

    /// <summary>A motion blob covers the part that moved; a margin brings in the rest of the body and its context.</summary>
    private static Rect Pad(Rect box, int width, int height)
    {
        var marginX = Math.Max(16, box.Width / 4);
        var marginY = Math.Max(16, box.Height / 4);
        var x1 = Math.Max(0, box.X - marginX);
        var y1 = Math.Max(0, box.Y - marginY);
        var x2 = Math.Min(width, box.X + box.Width + marginX);
        var y2 = Math.Min(height, box.Y + box.Height + marginY);
        return new Rect(x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1));
    }

    /// <summary>The crop size (model aspect, at least the model's input) that holds a box of this size.</summary>
    private (int Width, int Height) RegionSizeFor(int boxWidth, int boxHeight)
    {
        var aspect = (double)_networkWidth / _networkHeight;
        var regionWidth = Math.Max(_networkWidth, Math.Max(boxWidth, (int)Math.Ceiling(boxHeight * aspect)));
        var regionHeight = (int)Math.Round(regionWidth / aspect);
        return (regionWidth, Math.Max(regionHeight, boxHeight));
    }

    private long CostOf(Rect cluster)
    {
        var (w, h) = RegionSizeFor(cluster.Width, cluster.Height);
        return (long)w * h;
    }

    /// <summary>Joins clusters while one crop over two costs no more pixels than their two crops and fits the largest crop.</summary>
    private void MergeClusters()
    {
        var merged = true;
        while (merged)
        {
            merged = false;
            for (var i = 0; i < _clusters.Count && !merged; i++)
            {
                for (var j = i + 1; j < _clusters.Count; j++)
                {
                    var union = _clusters[i] | _clusters[j];
                    var (w, h) = RegionSizeFor(union.Width, union.Height);
                    var overlapping = _clusters[i].IntersectsWith(_clusters[j]);
                    var fits = w <= MaxRegionWidth && h <= MaxRegionHeight;
                    if (overlapping || (fits && (long)w * h <= CostOf(_clusters[i]) + CostOf(_clusters[j])))
                    {
                        _clusters[i] = union;
                        _clusters.RemoveAt(j);
                        merged = true;
                        break;
                    }
                }
            }
        }
    }

    /// <summary>A crop of the given size centred on the cluster and moved (or cut) to lie inside the frame.</summary>
    private static Rect Place(Rect cluster, int regionWidth, int regionHeight, int width, int height)
    {
        regionWidth = Math.Min(regionWidth, width);
        regionHeight = Math.Min(regionHeight, height);
        var x = cluster.X + (cluster.Width / 2) - (regionWidth / 2);
        var y = cluster.Y + (cluster.Height / 2) - (regionHeight / 2);
        x = Math.Clamp(x, 0, width - regionWidth);
        y = Math.Clamp(y, 0, height - regionHeight);
        return new Rect(x, y, regionWidth, regionHeight);
    }

    /// <summary>Tiles of the largest crop over <paramref name="area"/>, spread evenly so that neighbours overlap by at least a quarter.</summary>
    private void AddTiles(Rect area, int width, int height, List<Rect> regions)
    {
        var tileWidth = Math.Min(MaxRegionWidth, width);
        var tileHeight = Math.Min(MaxRegionHeight, height);
        var across = TilesAlong(area.Width, tileWidth);
        var down = TilesAlong(area.Height, tileHeight);
        for (var row = 0; row < down; row++)
        {
            for (var column = 0; column < across; column++)
            {
                var x = across == 1 ? area.X + (area.Width / 2) - (tileWidth / 2) : area.X + (int)Math.Round((double)column * (area.Width - tileWidth) / (across - 1));
                var y = down == 1 ? area.Y + (area.Height / 2) - (tileHeight / 2) : area.Y + (int)Math.Round((double)row * (area.Height - tileHeight) / (down - 1));
                regions.Add(new Rect(Math.Clamp(x, 0, width - tileWidth), Math.Clamp(y, 0, height - tileHeight), tileWidth, tileHeight));
            }
        }
    }
}
