using System.Text;
using System.Threading.Channels;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mat = OpenCvSharp.Mat;

namespace EdgeVision.EdgeAgent.Store;

/// <summary>What the store has done since the agent started; part of the stats.</summary>
internal sealed record StoreCounters(bool Available, long EventsWritten, long CountsWritten, long Dropped, long Pruned);

/// <summary>
/// The on-device history: every event (in the JSON of the MQTT event topic, with its time, camera, label, zones and
/// caption as columns to search by) and every count sample (on change, and each count again every
/// <see cref="StoreOptions.CountInterval"/>), in a SQLite database in WAL mode. The pipeline only queues rows
/// (bounded; the oldest dropped and counted when the disk cannot keep up); one background loop writes them in
/// batches, one transaction each, and prunes by age and size. A database that cannot be opened or written
/// (corrupt, locked, full) is one error line naming the file: the store stops, and detection and MQTT go on.
/// </summary>
internal sealed partial class EventStore : BackgroundService, IFrameTap
{
    private const int QueueCapacity = 10_000;
    private const int BatchSize = 500;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly StoreOptions _options;
    private readonly string _device;
    private readonly ILogger<EventStore> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Row> _queue;
    private readonly Dictionary<(string Camera, string Kind, string Area, string Label, string Direction), int> _lastCounts = new();
    private SqliteConnection? _connection;
    private volatile bool _available;
    private volatile bool _failed;
    private long _eventsWritten;
    private long _countsWritten;
    private long _dropped;
    private long _pruned;

    public EventStore(StoreOptions options, string device, ILogger<EventStore> logger, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _device = device;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        DatabasePath = string.IsNullOrEmpty(options.Path) ? Hosting.StateDirectory.Combine("edgevision.db") : System.IO.Path.GetFullPath(options.Path);
        _queue = Channel.CreateBounded<Row>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public string DatabasePath { get; }

    /// <summary>Open and writing; false before it opened, when disabled, and after a failure.</summary>
    public bool Available => _available && !_failed;

    public StoreCounters Counters => new(Available, Interlocked.Read(ref _eventsWritten), Interlocked.Read(ref _countsWritten), Interlocked.Read(ref _dropped), Interlocked.Read(ref _pruned));

    public bool Wants(string camera) => _options.Enabled && !_failed;

    public void Offer(FrameDetections frame, Mat image, float scale)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Analytics is not { } analytics)
        {
            return;
        }

        // Only queued here: the JSON and the columns are made on the store's own thread, off the pipeline.
        foreach (var e in analytics.Events)
        {
            _queue.Writer.TryWrite(new EventRow(e));
        }

        foreach (var count in analytics.Counts)
        {
            var row = CountRow.Of(count, frame.CapturedAt.ToUnixTimeMilliseconds());
            lock (_lastCounts)
            {
                _lastCounts[(row.Camera, row.Kind, row.Area, row.Label, row.Direction)] = row.Value;
            }

            _queue.Writer.TryWrite(row);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await Task.Yield();
        try
        {
            Open();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Fail("cannot be opened", ex);
            return;
        }

        LogOpened(_logger, DatabasePath);
        var batch = new List<Row>(BatchSize);
        var lastCounts = _time.GetTimestamp();
        var lastPrune = _time.GetTimestamp();
        try
        {
            while (!stoppingToken.IsCancellationRequested && !_failed)
            {
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    wait.CancelAfter(TimeSpan.FromSeconds(1));
                    try
                    {
                        await _queue.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // A second without rows: the periodic count samples and pruning still come due.
                    }
                }

                Flush(batch, ref lastCounts, ref lastPrune);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // What was queued before the stop is written too.
            if (!_failed)
            {
                var ignored = lastPrune;
                Flush(batch, ref lastCounts, ref ignored);
            }

            _available = false;
            _connection?.Dispose();
            _connection = null;
        }
    }

    private void Flush(List<Row> batch, ref long lastCounts, ref long lastPrune)
    {
        try
        {
            while (_queue.Reader.TryRead(out var row))
            {
                batch.Add(row);
                if (batch.Count == BatchSize)
                {
                    Write(batch);
                }
            }

            if (_time.GetElapsedTime(lastCounts) >= _options.CountInterval)
            {
                lastCounts = _time.GetTimestamp();
                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                lock (_lastCounts)
                {
                    batch.AddRange(_lastCounts.Select(p => new CountRow(p.Key.Camera, p.Key.Kind, p.Key.Area, p.Key.Label, p.Key.Direction, now, p.Value)));
                }
            }

            Write(batch);
            if (_time.GetElapsedTime(lastPrune) >= PruneEvery)
            {
                lastPrune = _time.GetTimestamp();
                Prune();
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException)
        {
            Fail("cannot be written", ex);
        }
    }

    /// <summary>Removes what is older than the age bound, then the oldest tenth at a time while the file is over the size bound; returns rows removed.</summary>
    public long Prune()
    {
        var connection = _connection ?? throw new InvalidOperationException("the store is not open");
        var cutoff = (_time.GetUtcNow() - _options.MaxAge).ToUnixTimeMilliseconds();
        long removed = Execute(connection, "DELETE FROM events WHERE at < $cutoff", ("$cutoff", cutoff))
            + Execute(connection, "DELETE FROM counts WHERE at < $cutoff", ("$cutoff", cutoff));
        for (var round = 0; round < 20 && UsedBytes(connection) > _options.MaxBytes; round++)
        {
            removed += Execute(connection, "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events ORDER BY at LIMIT (SELECT count(*) / 10 + 1 FROM events))")
                + Execute(connection, "DELETE FROM counts WHERE rowid IN (SELECT rowid FROM counts ORDER BY at LIMIT (SELECT count(*) / 10 + 1 FROM counts))");
        }

        if (removed > 0)
        {
            Execute(connection, "PRAGMA incremental_vacuum");
            Interlocked.Add(ref _pruned, removed);
        }

        return removed;
    }

    /// <summary>
    /// Events, newest first, optionally of one camera, label or zone, strictly after and before a time or an event
    /// (by its time, then its id, so that paging with the last event of a page as <c>before</c> is exact).
    /// </summary>
    public IReadOnlyList<string> Events(string? camera, string? label, string? zone, EventCursor? after, EventCursor? before, int limit)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT json FROM events WHERE 1 = 1");
        if (camera is not null)
        {
            sql.Append(" AND camera = $camera");
            command.Parameters.AddWithValue("$camera", camera);
        }

        if (label is not null)
        {
            sql.Append(" AND label = $label");
            command.Parameters.AddWithValue("$label", label);
        }

        if (zone is not null)
        {
            sql.Append(" AND instr(zones, $zone) > 0");
            command.Parameters.AddWithValue("$zone", "|" + zone + "|");
        }

        if (after is { } a)
        {
            sql.Append(" AND (at, event_id) > ($afterAt, $afterId)");
            command.Parameters.AddWithValue("$afterAt", a.AtMs);
            command.Parameters.AddWithValue("$afterId", a.EventId);
        }

        if (before is { } b)
        {
            sql.Append(" AND (at, event_id) < ($beforeAt, $beforeId)");
            command.Parameters.AddWithValue("$beforeAt", b.AtMs);
            command.Parameters.AddWithValue("$beforeId", b.EventId);
        }

        sql.Append(" ORDER BY at DESC, event_id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText = sql.ToString();
        var events = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(reader.GetString(0));
        }

        return events;
    }

    /// <summary>The cursor an event stands for in paging, or null when the store has no such event.</summary>
    public EventCursor? CursorOf(string eventId)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at FROM events WHERE event_id = $id";
        command.Parameters.AddWithValue("$id", eventId);
        return command.ExecuteScalar() is long at ? new EventCursor(at, eventId) : null;
    }

    public string? Event(string eventId)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM events WHERE event_id = $id";
        command.Parameters.AddWithValue("$id", eventId);
        return command.ExecuteScalar() as string;
    }

    /// <summary>
    /// One count over time: for each step between <paramref name="from"/> and <paramref name="to"/> (steps are
    /// whole multiples of the step since the Unix epoch, so charts of different ranges line up), the last value
    /// written in it; steps with no sample are left out.
    /// </summary>
    public IReadOnlyList<(DateTimeOffset At, int Value)> Counts(string camera, string area, string label, string kind, string direction, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        using var connection = OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, value FROM counts WHERE camera = $camera AND area = $area AND label = $label AND kind = $kind AND direction = $direction AND at >= $from AND at < $to ORDER BY at, rowid";
        command.Parameters.AddWithValue("$camera", camera);
        command.Parameters.AddWithValue("$area", area);
        command.Parameters.AddWithValue("$label", label);
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$direction", direction);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        var points = new SortedDictionary<long, int>();
        var stepMs = (long)step.TotalMilliseconds;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var bucket = reader.GetInt64(0) / stepMs * stepMs;
            points[bucket] = reader.GetInt32(1);
        }

        return points.Select(p => (DateTimeOffset.FromUnixTimeMilliseconds(p.Key), p.Value)).ToList();
    }

    public override void Dispose()
    {
        _connection?.Dispose();
        base.Dispose();
    }

    private void Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(DatabasePath)!);
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        try
        {
            connection.Open();

            // A damaged file can open and still fail on the first read: check it now, not when an event arrives.
            var check = Scalar(connection, "PRAGMA quick_check") as string;
            if (check != "ok")
            {
                throw new InvalidDataException($"quick_check says: {check}");
            }

            Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = NORMAL");
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS events (
                    event_id TEXT PRIMARY KEY, object_id TEXT NOT NULL, camera TEXT NOT NULL, label TEXT NOT NULL, type TEXT NOT NULL,
                    at INTEGER NOT NULL, seq INTEGER NOT NULL, caption TEXT, zones TEXT NOT NULL, json TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS events_at ON events (at, event_id);
                CREATE INDEX IF NOT EXISTS events_camera_at ON events (camera, at);
                CREATE TABLE IF NOT EXISTS counts (
                    camera TEXT NOT NULL, kind TEXT NOT NULL, area TEXT NOT NULL, label TEXT NOT NULL, direction TEXT NOT NULL,
                    at INTEGER NOT NULL, value INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS counts_series ON counts (camera, area, label, kind, direction, at);
                CREATE INDEX IF NOT EXISTS counts_at ON counts (at);
                """);

            // What outlived its bounds while the agent was off goes before anything new is written.
            _connection = connection;
            Prune();
        }
        catch
        {
            _connection = null;
            connection.Dispose();
            throw;
        }

        _available = true;
    }

    private SqliteConnection OpenReader()
    {
        if (!Available)
        {
            throw new InvalidOperationException("the store is not available");
        }

        var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private void Write(List<Row> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var connection = _connection!;
        using var transaction = connection.BeginTransaction();
        using var events = Insert(connection, transaction, "events", "event_id", "object_id", "camera", "label", "type", "at", "seq", "caption", "zones", "json");
        using var counts = Insert(connection, transaction, "counts", "camera", "kind", "area", "label", "direction", "at", "value");
        long eventRows = 0, countRows = 0;
        foreach (var row in batch)
        {
            if (row is EventRow { Event: var e })
            {
                Set(
                    events,
                    e.EventId,
                    e.ObjectId,
                    e.Camera,
                    e.Label,
                    e.Type.ToString().ToLowerInvariant(),
                    e.LastSeen.ToUnixTimeMilliseconds(),
                    e.Seq,
                    (object?)e.Caption ?? DBNull.Value,
                    "|" + string.Join('|', e.CurrentZones) + "|",
                    Encoding.UTF8.GetString(EventMessages.Event(_device, e)));
                eventRows++;
            }
            else if (row is CountRow c)
            {
                Set(counts, c.Camera, c.Kind, c.Area, c.Label, c.Direction, c.AtMs, c.Value);
                countRows++;
            }
        }

        transaction.Commit();
        Interlocked.Add(ref _eventsWritten, eventRows);
        Interlocked.Add(ref _countsWritten, countRows);
        batch.Clear();
    }

    /// <summary>
    /// An insert of the given columns into <paramref name="table"/>, its parameters made once for the whole batch. An
    /// event written again replaces its row (its id is the key); counts have no key, so each sample adds one.
    /// </summary>
    private static SqliteCommand Insert(SqliteConnection connection, SqliteTransaction transaction, string table, params string[] columns)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT OR REPLACE INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})";
        foreach (var column in columns)
        {
            command.Parameters.Add(new SqliteParameter("$" + column, null));
        }

        return command;
    }

    /// <summary>Runs <paramref name="command"/> with these values, in the order of its columns.</summary>
    private static void Set(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }

    private void Fail(string what, Exception ex)
    {
        _failed = true;
        _available = false;
        LogFailed(_logger, DatabasePath, what, ex.Message.Split('\n')[0].Trim());
    }

    private static long UsedBytes(SqliteConnection connection) =>
        ((long)Scalar(connection, "PRAGMA page_count")! - (long)Scalar(connection, "PRAGMA freelist_count")!) * (long)Scalar(connection, "PRAGMA page_size")!;

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Store: history kept in {Path}")]
    private static partial void LogOpened(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Store: the database {Path} {What} ({Reason}); history is off until restart, detection and MQTT go on")]
    private static partial void LogFailed(ILogger logger, string path, string what, string reason);

    private abstract record Row;

    private sealed record EventRow(TrackEvent Event) : Row;

    private sealed record CountRow(string Camera, string Kind, string Area, string Label, string Direction, long AtMs, int Value) : Row
    {
        public static CountRow Of(CountChange change, long atMs) => new(
            change.Camera,
            change.Kind == CountKind.Crossings ? "crossings" : "occupancy",
            change.Area,
            change.Label,
            change.Direction is { } d ? d.ToString().ToLowerInvariant() : string.Empty,
            atMs,
            change.Value);
    }
}

/// <summary>A place in the event order: an event's time (Unix milliseconds) and id; a bare time has an empty id.</summary>
internal readonly record struct EventCursor(long AtMs, string EventId);
