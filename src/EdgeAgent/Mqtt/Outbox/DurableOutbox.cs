using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>
/// The agent's store-and-forward log for QoS 1 messages. <see cref="Append"/> writes a record and flushes it to the
/// disk (fsync) before returning, so a message the pipeline handed over survives a SIGKILL or a power cut.
/// Delivery takes records oldest first (<see cref="Peek"/>, <see cref="Complete"/>), which keeps each camera's
/// order, and moves an "acked" cursor past each one; whole segment files behind the cursor are deleted. Opening an
/// existing directory cuts a torn tail (a record whose length or CRC does not hold) and replays every record after
/// the cursor. Bounds: <see cref="OutboxOptions.MaxBytes"/> and <see cref="OutboxOptions.MaxAge"/>; past either the
/// oldest record is dropped and counted. One process at a time: a lock file guards the directory.
/// </summary>
/// <remarks>
/// The cursor is written (temporary file, then rename) without fsync: after a power cut it may lag behind, which
/// only sends some delivered messages again — subscribers de-duplicate, delivery is at least once.
/// </remarks>
internal sealed class DurableOutbox : IDisposable
{
    private const string SegmentExtension = ".log";
    private const string CursorFile = "acked";
    private const string LockFileName = "lock";

    private readonly string _directory;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly Lock _gate = new();
    private readonly Queue<OutboxRecord> _pending = new();
    private readonly List<Segment> _segments = [];
    private TaskCompletionSource _available = NewSignal();
    private FileStream? _active;
    private long _nextId = 1;
    private long _tailId;
    private long _cursor;
    private long _pendingBytes;
    private long _accepted;
    private long _delivered;
    private long _replayed;
    private long _droppedFull;
    private long _droppedExpired;
    private long _rejected;
    private long _unsaved;
    private bool _writeFailureLogged;
    private bool _dropLogged;
    private bool _disposed;

    private DurableOutbox(string directory, OutboxOptions options, TimeProvider time, ILogger logger, FileStream lockFile)
    {
        _directory = directory;
        _options = options;
        _time = time;
        _logger = logger;
        _lock = lockFile;
    }

    public string Directory => _directory;

    /// <summary>Bytes cut from the end of segments when the log was opened: records torn by a crash mid-write.</summary>
    public long TruncatedBytes { get; private set; }

    public OutboxCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new OutboxCounters(_pending.Count, _pendingBytes, _accepted, _delivered, _replayed, _droppedFull, _droppedExpired, _rejected, _unsaved);
            }
        }
    }

    /// <summary>
    /// Opens (creating it if needed) the outbox in <paramref name="directory"/>, recovers what an earlier run left
    /// there and takes the directory's lock.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or read, or another process holds it.</exception>
    public static DurableOutbox Open(string directory, OutboxOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        FileStream lockFile;
        try
        {
            // FileShare.None is an exclusive flock on Linux: a second agent with the same outbox fails here.
            lockFile = new FileStream(Path.Combine(full, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"another process holds {Path.Combine(full, LockFileName)} (one agent per outbox)", ex);
        }

        var outbox = new DurableOutbox(full, options, time ?? TimeProvider.System, logger, lockFile);
        try
        {
            outbox.Recover();
        }
        catch
        {
            outbox.Dispose();
            throw;
        }

        return outbox;
    }

    /// <summary>
    /// Accepts one message: written and flushed to disk before this returns true. False when the disk refused it —
    /// the message is then held in memory only (counted as unsaved) and still delivered if the agent lives — or
    /// when it alone is larger than <see cref="OutboxOptions.MaxBytes"/> (dropped and counted).
    /// </summary>
    public bool Append(string topic, ReadOnlySpan<byte> payload, bool retain)
    {
        ArgumentNullException.ThrowIfNull(topic);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow();
            var cursorBefore = _cursor;
            ExpireLocked(now);
            var encoded = OutboxRecordFormat.Encode(_nextId, now, topic, retain, payload);
            if (encoded.Length > _options.MaxBytes)
            {
                _nextId++;
                _droppedFull++;
                OutboxLog.TooLarge(_logger, topic, encoded.Length, _options.MaxBytes);
                return false;
            }

            while (_pendingBytes + encoded.Length > _options.MaxBytes && _pending.Count > 0)
            {
                DropHeadLocked();
                _droppedFull++;
                if (!_dropLogged)
                {
                    _dropLogged = true;
                    OutboxLog.Full(_logger, _options.MaxBytes);
                }
            }

            if (_cursor != cursorBefore)
            {
                WriteCursorLocked();
                CompactLocked();
            }

            var saved = TryWriteLocked(_nextId, encoded);
            var record = OutboxRecordFormat.TryDecode(encoded)!;
            _nextId++;
            _pending.Enqueue(record);
            _pendingBytes += record.EncodedBytes;
            _tailId = record.Id;
            if (saved)
            {
                _accepted++;
            }
            else
            {
                _unsaved++;
            }

            _available.TrySetResult();
            return saved;
        }
    }

    /// <summary>The oldest message still waiting (after dropping those past <see cref="OutboxOptions.MaxAge"/>); null when none waits.</summary>
    public OutboxRecord? Peek()
    {
        lock (_gate)
        {
            ExpireOld();
            return _pending.TryPeek(out var head) ? head : null;
        }
    }

    /// <summary>
    /// Copies the oldest messages waiting after the one numbered <paramref name="afterId"/> (0: from the oldest) into
    /// <paramref name="destination"/>, after dropping those past <see cref="OutboxOptions.MaxAge"/>; returns how many.
    /// Delivery reads its next publishes here while earlier ones wait for their PUBACK. The records are immutable and
    /// own their payloads, so they stay valid however long a publish takes, even after they leave the outbox.
    /// </summary>
    public int CopyWaitingAfter(long afterId, Span<OutboxRecord> destination)
    {
        lock (_gate)
        {
            ExpireOld();
            var count = 0;

            // Those skipped are the ones in flight, at the head of the queue: a few, however long the backlog.
            foreach (var record in _pending)
            {
                if (count == destination.Length)
                {
                    break;
                }

                if (record.Id > afterId)
                {
                    destination[count++] = record;
                }
            }

            return count;
        }
    }

    /// <summary>Every message still waiting, oldest first (a copy, for diagnostics).</summary>
    public IReadOnlyList<OutboxRecord> Waiting()
    {
        lock (_gate)
        {
            return _pending.ToArray();
        }
    }

    /// <summary>
    /// Ends the wait of <paramref name="record"/>, which <see cref="Peek"/> returned: delivered (a PUBACK with success)
    /// or rejected (a failure reason code; it will not be retried). A record the bounds dropped meanwhile stays
    /// counted as dropped.
    /// </summary>
    public void Complete(OutboxRecord record, bool delivered)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            if (_disposed || !_pending.TryPeek(out var head) || head.Id != record.Id)
            {
                return;
            }

            DropHeadLocked();
            if (delivered)
            {
                _delivered++;
                _dropLogged = false;
            }
            else
            {
                _rejected++;
            }

            WriteCursorLocked();
            CompactLocked();
        }
    }

    /// <summary>Drops every message older than <see cref="OutboxOptions.MaxAge"/>; returns how many went.</summary>
    public int ExpireOld()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return 0;
            }

            var expired = ExpireLocked(_time.GetUtcNow());
            if (expired > 0)
            {
                WriteCursorLocked();
                CompactLocked();
            }

            return expired;
        }
    }

    /// <summary>Completes once at least one message waits.</summary>
    public Task WaitForPendingAsync(CancellationToken cancellationToken) => WaitForWaitingAfterAsync(0, cancellationToken);

    /// <summary>Completes once a message numbered after <paramref name="afterId"/> waits.</summary>
    public Task WaitForWaitingAfterAsync(long afterId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pending.Count > 0 && _tailId > afterId)
            {
                return Task.CompletedTask;
            }

            if (_available.Task.IsCompleted)
            {
                _available = NewSignal();
            }

            return _available.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The MQTT message expiry for <paramref name="record"/>: what is left of its <see cref="OutboxOptions.MaxAge"/>, at least a second.</summary>
    public uint RemainingLifetimeSeconds(OutboxRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var left = _options.MaxAge - (_time.GetUtcNow() - record.AcceptedAt);
        return (uint)Math.Clamp(Math.Ceiling(left.TotalSeconds), 1, uint.MaxValue);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _active?.Dispose();
            _active = null;
            _lock.Dispose();
        }
    }

    private void Recover()
    {
        _cursor = ReadCursor();
        var maxId = _cursor;
        var files = new DirectoryInfo(_directory).EnumerateFiles("*" + SegmentExtension)
            .Select(f => (File: f, FirstId: long.TryParse(Path.GetFileNameWithoutExtension(f.Name), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1))
            .Where(f => f.FirstId >= 0)
            .OrderBy(f => f.FirstId)
            .ToList();
        foreach (var (file, firstId) in files)
        {
            var segment = new Segment(file.FullName) { LastId = firstId - 1 };
            var data = File.ReadAllBytes(file.FullName);
            var offset = 0;
            while (offset < data.Length && OutboxRecordFormat.TryDecode(data.AsSpan(offset)) is { } record)
            {
                offset += record.EncodedBytes;
                segment.LastId = record.Id;
                if (record.Id > maxId)
                {
                    maxId = record.Id;
                    _tailId = record.Id;
                    _pending.Enqueue(record);
                    _pendingBytes += record.EncodedBytes;
                }
            }

            if (offset < data.Length)
            {
                // A crash mid-write leaves part of a record; appending after it would hide every later record.
                using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Write, FileShare.Read))
                {
                    stream.SetLength(offset);
                    stream.Flush(flushToDisk: true);
                }

                TruncatedBytes += data.Length - offset;
                OutboxLog.TornTail(_logger, file.FullName, offset, data.Length - offset);
            }

            segment.Bytes = offset;
            _segments.Add(segment);
        }

        _nextId = maxId + 1;
        var now = _time.GetUtcNow();
        ExpireLocked(now);
        while (_pendingBytes > _options.MaxBytes && _pending.Count > 0)
        {
            DropHeadLocked();
            _droppedFull++;
        }

        _replayed = _pending.Count;
        WriteCursorLocked();
        CompactLocked();
        OutboxLog.Opened(_logger, _directory, _pending.Count, _pendingBytes, _droppedExpired + _droppedFull);
    }

    private int ExpireLocked(DateTimeOffset now)
    {
        var expired = 0;
        while (_pending.TryPeek(out var head) && now - head.AcceptedAt > _options.MaxAge)
        {
            DropHeadLocked();
            _droppedExpired++;
            expired++;
        }

        return expired;
    }

    private void DropHeadLocked()
    {
        var head = _pending.Dequeue();
        _pendingBytes -= head.EncodedBytes;
        _cursor = head.Id;
    }

    private bool TryWriteLocked(long id, byte[] encoded)
    {
        try
        {
            if (_active is null)
            {
                var path = Path.Combine(_directory, id.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension);
                _active = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                _segments.Add(new Segment(path) { LastId = id - 1 });
            }

            _active.Write(encoded);
            _active.Flush(flushToDisk: true);
            var segment = _segments[^1];
            segment.LastId = id;
            segment.Bytes += encoded.Length;
            if (segment.Bytes >= _options.SegmentBytes)
            {
                CloseActiveLocked();
            }

            _writeFailureLogged = false;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Whatever part reached the file is cut on the next open; later records go to a fresh segment.
            CloseActiveLocked();
            if (!_writeFailureLogged)
            {
                _writeFailureLogged = true;
                OutboxLog.CannotWrite(_logger, _directory, ex.Message);
            }

            return false;
        }
    }

    private void CloseActiveLocked()
    {
        try
        {
            _active?.Dispose();
        }
        catch (IOException)
        {
            // The segment is closed either way; its intact records are read on the next open.
        }

        _active = null;
    }

    /// <summary>Deletes the segments every record of which is behind the cursor, except the one being written.</summary>
    private void CompactLocked()
    {
        var activePath = _active?.Name;
        for (var i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            if (segment.LastId > _cursor || segment.Path == activePath)
            {
                continue;
            }

            try
            {
                File.Delete(segment.Path);
                _segments.RemoveAt(i--);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for the next compaction; the cursor already keeps its records from being sent again.
            }
        }
    }

    private long ReadCursor()
    {
        var path = Path.Combine(_directory, CursorFile);
        if (!File.Exists(path))
        {
            return 0;
        }

        var data = File.ReadAllBytes(path);
        if (data.Length == 12 && Crc32.HashToUInt32(data.AsSpan(0, 8)) == BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8)))
        {
            return BinaryPrimitives.ReadInt64LittleEndian(data);
        }

        // Sending everything still in the log again is the safe reading of a damaged cursor.
        OutboxLog.CursorDamaged(_logger, path);
        return 0;
    }

    private void WriteCursorLocked()
    {
        var data = new byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(data, _cursor);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), Crc32.HashToUInt32(data.AsSpan(0, 8)));
        var path = Path.Combine(_directory, CursorFile);
        try
        {
            File.WriteAllBytes(path + ".tmp", data);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stale cursor only means some delivered messages are sent again after a restart.
            if (!_writeFailureLogged)
            {
                _writeFailureLogged = true;
                OutboxLog.CannotWrite(_logger, _directory, ex.Message);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One log file, named by its first record's id: records up to <see cref="LastId"/>, <see cref="Bytes"/> long.</summary>
    private sealed class Segment(string path)
    {
        public string Path { get; } = path;

        public long LastId { get; set; }

        public long Bytes { get; set; }
    }
}
