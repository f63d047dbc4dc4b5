namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Every count of one camera with the value last reported for it, so that only changes go out. Occupancy is
/// rebuilt from scratch each frame (it cannot drift); crossings only ever grow.
/// </summary>
internal sealed class CountBoard
{
    /// <summary>Area index standing for the whole view.</summary>
    public const int WholeView = -1;

    private readonly Dictionary<CountKey, Cell> _cells = [];
    private readonly List<Cell> _order = [];

    public CountBoard(int zones, int lines, List<string> labels)
    {
        // Counts that exist from the start are reported once as 0, replacing whatever a previous run left retained.
        for (var area = WholeView; area < zones; area++)
        {
            CellOf(new CountKey(CountKind.Occupancy, area, CountChange.All, null));
            foreach (var label in labels)
            {
                CellOf(new CountKey(CountKind.Occupancy, area, label, null));
            }
        }

        for (var line = 0; line < lines; line++)
        {
            foreach (var direction in (ReadOnlySpan<CrossingDirection>)[CrossingDirection.In, CrossingDirection.Out])
            {
                CellOf(new CountKey(CountKind.Crossings, line, CountChange.All, direction));
                foreach (var label in labels)
                {
                    CellOf(new CountKey(CountKind.Crossings, line, label, direction));
                }
            }
        }
    }

    public void BeginFrame()
    {
        foreach (var cell in _order)
        {
            if (cell.Key.Kind == CountKind.Occupancy)
            {
                cell.Current = 0;
            }
        }
    }

    /// <param name="area">A zone index or <see cref="WholeView"/>.</param>
    public void AddOccupant(int area, string label)
    {
        CellOf(new CountKey(CountKind.Occupancy, area, label, null)).Current++;
        CellOf(new CountKey(CountKind.Occupancy, area, CountChange.All, null)).Current++;
    }

    public void AddCrossing(int line, string label, CrossingDirection direction)
    {
        CellOf(new CountKey(CountKind.Crossings, line, label, direction)).Current++;
        CellOf(new CountKey(CountKind.Crossings, line, CountChange.All, direction)).Current++;
    }

    /// <summary>Appends a change for every count that differs from its last reported value, in the order counts first appeared.</summary>
    public void Flush(string camera, ZoneTracker zones, LineCounter lines, List<CountChange> changes)
    {
        foreach (var cell in _order)
        {
            if (cell.Current == cell.Reported)
            {
                continue;
            }

            cell.Reported = cell.Current;
            var key = cell.Key;
            var area = key.Kind == CountKind.Crossings ? lines.NameOf(key.Area)
                : key.Area == WholeView ? CountChange.All
                : zones.NameOf(key.Area);
            changes.Add(new CountChange(camera, key.Kind, area, key.Label, key.Direction, cell.Current));
        }
    }

    public SceneSummary Summarize(string camera, DateTimeOffset at, ZoneTracker zones, LineCounter lines)
    {
        var inView = new Dictionary<string, int>(StringComparer.Ordinal);
        var byZone = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        for (var z = 0; z < zones.Count; z++)
        {
            byZone[zones.NameOf(z)] = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var byLine = new Dictionary<string, IReadOnlyDictionary<CrossingDirection, int>>(StringComparer.Ordinal);
        for (var l = 0; l < lines.Count; l++)
        {
            byLine[lines.NameOf(l)] = new Dictionary<CrossingDirection, int>
            {
                [CrossingDirection.In] = _cells[new CountKey(CountKind.Crossings, l, CountChange.All, CrossingDirection.In)].Current,
                [CrossingDirection.Out] = _cells[new CountKey(CountKind.Crossings, l, CountChange.All, CrossingDirection.Out)].Current,
            };
        }

        foreach (var cell in _order)
        {
            var key = cell.Key;
            if (key.Kind != CountKind.Occupancy || key.Label == CountChange.All || cell.Current == 0)
            {
                continue;
            }

            var target = key.Area == WholeView ? inView : byZone[zones.NameOf(key.Area)];
            target[key.Label] = cell.Current;
        }

        var zonesReadOnly = new Dictionary<string, IReadOnlyDictionary<string, int>>(byZone.Count, StringComparer.Ordinal);
        foreach (var (name, counts) in byZone)
        {
            zonesReadOnly[name] = counts;
        }

        return new SceneSummary(camera, at, inView, zonesReadOnly, byLine);
    }

    private Cell CellOf(CountKey key)
    {
        if (!_cells.TryGetValue(key, out var cell))
        {
            cell = new Cell(key);
            _cells.Add(key, cell);
            _order.Add(cell);
        }

        return cell;
    }

    private readonly record struct CountKey(CountKind Kind, int Area, string Label, CrossingDirection? Direction);

    private sealed class Cell(CountKey key)
    {
        public CountKey Key { get; } = key;

        public int Current { get; set; }

        /// <summary>-1 until first reported, so every count goes out once.</summary>
        public int Reported { get; set; } = -1;
    }
}
