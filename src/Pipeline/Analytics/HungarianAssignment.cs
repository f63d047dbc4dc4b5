namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Minimum-cost assignment of rows to columns (the Hungarian method in its shortest-augmenting-path form with
/// row and column potentials, O(n²·m) for n rows and m columns). Its working arrays are kept between calls and
/// only grow, so a tracker solving a few small problems per frame allocates nothing once warmed up.
/// An instance is not thread-safe.
/// </summary>
internal sealed class HungarianAssignment
{
    private double[] _rowPotential = new double[8];
    private double[] _columnPotential = new double[8];
    private double[] _slack = new double[8];
    private int[] _columnOwner = new int[8];
    private int[] _previousColumn = new int[8];
    private bool[] _visited = new bool[8];
    private double[] _work = new double[64];

    /// <summary>Assigns every row to a column (or every column to a row, whichever are fewer) at the least total cost.</summary>
    /// <param name="costs">Row-major, <paramref name="rows"/> × <paramref name="columns"/>, finite.</param>
    /// <param name="rowToColumn">Filled with the column of each row, or -1; at least <paramref name="rows"/> long.</param>
    /// <returns>The number of pairs made: min(rows, columns).</returns>
    public int Solve(ReadOnlySpan<float> costs, int rows, int columns, Span<int> rowToColumn) =>
        SolveCore(costs, rows, columns, gate: null, rowToColumn);

    /// <summary>
    /// Assigns rows to columns where it is worth it: a pair costing at most <paramref name="maxCost"/> is made
    /// unless another set of pairs is cheaper, where a row and a column left unassigned together count as
    /// <paramref name="maxCost"/>. Pairs above the gate are never made, and a gate never forces a bad pair
    /// just to make more pairs (as the "cost limit" of the Jonker–Volgenant solver used by SORT trackers).
    /// </summary>
    /// <param name="costs">Row-major, <paramref name="rows"/> × <paramref name="columns"/>; any value above the gate means "never".</param>
    /// <param name="rowToColumn">Filled with the column of each row, or -1; at least <paramref name="rows"/> long.</param>
    /// <returns>The number of pairs made.</returns>
    public int Solve(ReadOnlySpan<float> costs, int rows, int columns, float maxCost, Span<int> rowToColumn)
    {
        if (!float.IsFinite(maxCost))
        {
            throw new ArgumentOutOfRangeException(nameof(maxCost), maxCost, "the gate must be finite");
        }

        return SolveCore(costs, rows, columns, maxCost, rowToColumn);
    }

    private int SolveCore(ReadOnlySpan<float> costs, int rows, int columns, float? gate, Span<int> rowToColumn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (costs.Length < rows * columns)
        {
            throw new ArgumentException($"costs hold {costs.Length} values, fewer than {rows}×{columns}", nameof(costs));
        }

        if (rowToColumn.Length < rows)
        {
            throw new ArgumentException($"rowToColumn holds {rowToColumn.Length} places, fewer than {rows} rows", nameof(rowToColumn));
        }

        rowToColumn[..rows].Fill(-1);
        if (rows == 0 || columns == 0)
        {
            return 0;
        }

        // With a gate, each pair is scored by how much it saves against leaving its row and column out:
        // min(cost − gate, 0). A full assignment on these scores is the gated optimum, and pairs scoring 0
        // are the ones left out. The augmenting-path loop needs rows ≤ columns, so a tall matrix is
        // written transposed.
        var transpose = rows > columns;
        var workRows = transpose ? columns : rows;
        var workColumns = transpose ? rows : columns;
        EnsureCapacity(ref _work, rows * columns);
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                double cost = costs[(row * columns) + column];
                if (gate is { } limit)
                {
                    cost = Math.Min(cost - limit, 0.0);
                }

                var index = transpose ? (column * rows) + row : (row * columns) + column;
                _work[index] = cost;
            }
        }

        Augment(workRows, workColumns);
        var made = 0;
        for (var workColumn = 1; workColumn <= workColumns; workColumn++)
        {
            var workRow = _columnOwner[workColumn] - 1;
            if (workRow < 0)
            {
                continue;
            }

            var (row, column) = transpose ? (workColumn - 1, workRow) : (workRow, workColumn - 1);
            if (gate is { } limit && !(costs[(row * columns) + column] <= limit))
            {
                continue;
            }

            rowToColumn[row] = column;
            made++;
        }

        return made;
    }

    /// <summary>
    /// Solves the square-or-wide problem in <see cref="_work"/>, adding the rows one at a time, each along the
    /// cheapest alternating path in reduced costs (Dijkstra over columns with potentials). Arrays are 1-based;
    /// column 0 is the virtual start.
    /// Leaves <see cref="_columnOwner"/>[column] = row (1-based) or 0.
    /// </summary>
    private void Augment(int rows, int columns)
    {
        EnsureCapacity(ref _rowPotential, rows + 1);
        EnsureCapacity(ref _columnPotential, columns + 1);
        EnsureCapacity(ref _slack, columns + 1);
        EnsureCapacity(ref _columnOwner, columns + 1);
        EnsureCapacity(ref _previousColumn, columns + 1);
        EnsureCapacity(ref _visited, columns + 1);
        Array.Clear(_rowPotential, 0, rows + 1);
        Array.Clear(_columnPotential, 0, columns + 1);
        Array.Clear(_columnOwner, 0, columns + 1);

        for (var row = 1; row <= rows; row++)
        {
            _columnOwner[0] = row;
            var current = 0;
            Array.Fill(_slack, double.PositiveInfinity, 0, columns + 1);
            Array.Clear(_visited, 0, columns + 1);
            do
            {
                _visited[current] = true;
                var owner = _columnOwner[current];
                var delta = double.PositiveInfinity;
                var next = 0;
                for (var column = 1; column <= columns; column++)
                {
                    if (_visited[column])
                    {
                        continue;
                    }

                    var reduced = _work[((owner - 1) * columns) + column - 1] - _rowPotential[owner] - _columnPotential[column];
                    if (reduced < _slack[column])
                    {
                        _slack[column] = reduced;
                        _previousColumn[column] = current;
                    }

                    if (_slack[column] < delta)
                    {
                        delta = _slack[column];
                        next = column;
                    }
                }

                for (var column = 0; column <= columns; column++)
                {
                    if (_visited[column])
                    {
                        _rowPotential[_columnOwner[column]] += delta;
                        _columnPotential[column] -= delta;
                    }
                    else
                    {
                        _slack[column] -= delta;
                    }
                }

                current = next;
            }
            while (_columnOwner[current] != 0);

            // Flip the path back to the start so every column on it takes the row of its predecessor.
            do
            {
                var previous = _previousColumn[current];
                _columnOwner[current] = _columnOwner[previous];
                current = previous;
            }
            while (current != 0);
        }
    }

    private static void EnsureCapacity<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 2)];
        }
    }
}
