using System.Text;
using EdgeVision.EdgeAgent.Mqtt.Outbox;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Outbox;

/// <summary>The outbox's log on a real directory: order, acknowledgement, recovery after a crash, and both bounds.</summary>
public sealed class DurableOutboxTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly RecordingLogger _logger = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Open_AfterAppends_ReplaysEveryMessageInOrderWithTopicPayloadAndRetain()
    {
        using (var outbox = Open())
        {
            Assert.True(outbox.Append("edgevision/d/a/events", "a1"u8, retain: false));
            Assert.True(outbox.Append("edgevision/d/b/events", "b1"u8, retain: false));
            Assert.True(outbox.Append("edgevision/d/a/path/person", "3"u8, retain: true));
        }

        using var reopened = Open();
        var replayed = Drain(reopened, delivered: true);

        Assert.Equal(
            [("edgevision/d/a/events", "a1", false), ("edgevision/d/b/events", "b1", false), ("edgevision/d/a/path/person", "3", true)],
            replayed.Select(r => (r.Topic, Encoding.UTF8.GetString(r.Payload.Span), r.Retain)));
        Assert.Equal([1L, 2L, 3L], replayed.Select(r => r.Id));
        Assert.Equal((3L, 3L, 0L), (reopened.Counters.Replayed, reopened.Counters.Delivered, reopened.Counters.Pending));
    }

    [Fact]
    public void Complete_SomeDelivered_ReopenReplaysOnlyTheRestAndNumbersOn()
    {
        using (var outbox = Open())
        {
            for (var i = 1; i <= 5; i++)
            {
                outbox.Append("t", Encoding.UTF8.GetBytes($"m{i}"), retain: false);
            }

            outbox.Complete(outbox.Peek()!, delivered: true);
            outbox.Complete(outbox.Peek()!, delivered: true);
            Assert.Equal(new OutboxCounters(Pending: 3, PendingBytes: outbox.Counters.PendingBytes, Accepted: 5, Delivered: 2, Replayed: 0, DroppedFull: 0, DroppedExpired: 0, Rejected: 0, Unsaved: 0), outbox.Counters);
        }

        using var reopened = Open();
        reopened.Append("t", "m6"u8, retain: false);

        Assert.Equal(["m3", "m4", "m5", "m6"], Drain(reopened, delivered: true).Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
        Assert.Equal(3L, reopened.Counters.Replayed);
    }

    [Fact]
    public void Complete_NotTheOldest_IsIgnored()
    {
        using var outbox = Open();
        outbox.Append("t", "m1"u8, retain: false);
        outbox.Append("t", "m2"u8, retain: false);
        var first = outbox.Peek()!;
        outbox.Complete(first, delivered: true);

        outbox.Complete(first, delivered: true);

        Assert.Equal((1L, 1L, "m2"), (outbox.Counters.Delivered, outbox.Counters.Pending, Encoding.UTF8.GetString(outbox.Peek()!.Payload.Span)));
    }

    [Fact]
    public void Open_TornLastRecord_CutsItKeepsTheWholeOnesAndAppendsAfterThem()
    {
        int fullLength;
        using (var outbox = Open())
        {
            outbox.Append("t", "m1"u8, retain: false);
            outbox.Append("t", "m2"u8, retain: false);
            outbox.Append("t", "m3-torn"u8, retain: false);
        }

        // A SIGKILL or power cut during the third write: only part of its bytes reached the file.
        var segment = Assert.Single(Directory.GetFiles(_directory.Path, "*.log"));
        fullLength = (int)new FileInfo(segment).Length;
        var thirdLength = OutboxRecordLength("t", 7);
        File.WriteAllBytes(segment, File.ReadAllBytes(segment)[..(fullLength - 5)]);

        using (var reopened = Open())
        {
            Assert.Equal(thirdLength - 5, reopened.TruncatedBytes);
            Assert.Equal(fullLength - thirdLength, new FileInfo(segment).Length);
            Assert.Equal(2L, reopened.Counters.Replayed);
            reopened.Append("t", "m4"u8, retain: false);
        }

        using var third = Open();
        Assert.Equal(["m1", "m2", "m4"], Drain(third, delivered: true).Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
        Assert.Contains(_logger.Entries, e => e.Message.Contains("torn record at byte", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_CorruptByteInsideARecord_CutsFromThatRecordOn()
    {
        using (var outbox = Open())
        {
            outbox.Append("t", "m1"u8, retain: false);
            outbox.Append("t", "m2"u8, retain: false);
        }

        var segment = Assert.Single(Directory.GetFiles(_directory.Path, "*.log"));
        var bytes = File.ReadAllBytes(segment);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open();

        Assert.Equal(["m1"], Drain(reopened, delivered: true).Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
        Assert.Equal(OutboxRecordLength("t", 2), reopened.TruncatedBytes);
    }

    [Fact]
    public void Append_PastMaxBytes_DropsTheOldestAndCountsEachDrop()
    {
        var payload = new byte[1000];
        var recordBytes = OutboxRecordLength("t", payload.Length);
        var options = new OutboxOptions { MaxBytes = OutboxOptionsValidator.MinBytes };
        var fits = (int)(options.MaxBytes / recordBytes);
        using var outbox = Open(options);

        for (var i = 0; i < fits + 10; i++)
        {
            payload[0] = (byte)i;
            outbox.Append("t", payload, retain: false);
        }

        var counters = outbox.Counters;
        Assert.Equal((fits, 10L, (long)fits * recordBytes), (counters.Pending, counters.DroppedFull, counters.PendingBytes));
        Assert.Equal((byte)10, outbox.Peek()!.Payload.Span[0]);
        Assert.Contains(_logger.Entries, e => e.Message.StartsWith("Outbox full", StringComparison.Ordinal));
    }

    [Fact]
    public void Append_LargerThanMaxBytes_DropsItAloneAndCountsIt()
    {
        using var outbox = Open(new OutboxOptions { MaxBytes = OutboxOptionsValidator.MinBytes });
        outbox.Append("t", "small"u8, retain: false);

        var saved = outbox.Append("t", new byte[OutboxOptionsValidator.MinBytes], retain: false);

        Assert.False(saved);
        Assert.Equal((1L, 1L, 1L), (outbox.Counters.Pending, outbox.Counters.DroppedFull, outbox.Counters.Accepted));
    }

    [Fact]
    public void Peek_PastMaxAge_DropsTheExpiredAndCountsThem()
    {
        using var outbox = Open(new OutboxOptions { MaxAge = TimeSpan.FromMinutes(10) });
        outbox.Append("t", "old1"u8, retain: false);
        outbox.Append("t", "old2"u8, retain: false);
        _clock.Now += TimeSpan.FromMinutes(6);
        outbox.Append("t", "young"u8, retain: false);
        _clock.Now += TimeSpan.FromMinutes(5);

        var head = outbox.Peek();

        Assert.Equal("young", Encoding.UTF8.GetString(head!.Payload.Span));
        Assert.Equal((2L, 1L), (outbox.Counters.DroppedExpired, outbox.Counters.Pending));
        Assert.Equal(300u, outbox.RemainingLifetimeSeconds(head));
    }

    [Fact]
    public void Open_MessagesExpiredWhileTheAgentWasDown_DropsAndCountsThemOnOpen()
    {
        var options = new OutboxOptions { MaxAge = TimeSpan.FromMinutes(10) };
        using (var outbox = Open(options))
        {
            outbox.Append("t", "old"u8, retain: false);
            _clock.Now += TimeSpan.FromMinutes(8);
            outbox.Append("t", "young"u8, retain: false);
        }

        _clock.Now += TimeSpan.FromMinutes(5);
        using var reopened = Open(options);

        Assert.Equal((1L, 1L), (reopened.Counters.DroppedExpired, reopened.Counters.Replayed));
        Assert.Equal("young", Encoding.UTF8.GetString(reopened.Peek()!.Payload.Span));
    }

    [Fact]
    public void Complete_EverythingDelivered_DeletesFullSegmentsAndReopensEmpty()
    {
        var options = new OutboxOptions { MaxBytes = 1024 * 1024 };
        var payload = new byte[4000];
        using (var outbox = Open(options))
        {
            for (var i = 0; i < 100; i++)
            {
                outbox.Append("t", payload, retain: false);
            }

            Assert.True(Directory.GetFiles(_directory.Path, "*.log").Length >= 3);
            Drain(outbox, delivered: true);

            // Only the segment still being written stays.
            Assert.Single(Directory.GetFiles(_directory.Path, "*.log"));
        }

        using var reopened = Open(options);
        Assert.Equal((0L, 0L), (reopened.Counters.Pending, reopened.Counters.Replayed));
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.log"));
    }

    [Fact]
    public void Complete_Rejected_CountsItAndDoesNotReplayIt()
    {
        using (var outbox = Open())
        {
            outbox.Append("t", "refused"u8, retain: false);
            outbox.Complete(outbox.Peek()!, delivered: false);
            Assert.Equal((1L, 0L, 0L), (outbox.Counters.Rejected, outbox.Counters.Delivered, outbox.Counters.Pending));
        }

        using var reopened = Open();
        Assert.Null(reopened.Peek());
    }

    [Fact]
    public void Append_DiskRefusesTheWrite_KeepsTheMessageInMemoryCountsItUnsavedAndWritesTheNextOne()
    {
        // A directory where the first segment file should go: creating the file fails with a real IOException.
        Directory.CreateDirectory(_directory.Combine("00000000000000000001.log"));
        using (var outbox = Open())
        {
            Assert.False(outbox.Append("t", "m1"u8, retain: false));
            Assert.True(outbox.Append("t", "m2"u8, retain: false));

            Assert.Equal((1L, 1L, 2L), (outbox.Counters.Unsaved, outbox.Counters.Accepted, outbox.Counters.Pending));
            Assert.Equal("m1", Encoding.UTF8.GetString(outbox.Peek()!.Payload.Span));
            Assert.Contains(_logger.Entries, e => e.Message.Contains("cannot write", StringComparison.Ordinal));
        }

        using var reopened = Open();
        Assert.Equal(["m2"], Drain(reopened, delivered: true).Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
    }

    [Fact]
    public void Open_DirectoryHeldByAnotherOutbox_ThrowsNamingTheLock()
    {
        using var first = Open();

        var error = Assert.Throws<IOException>(() => Open());

        Assert.Equal($"another process holds {_directory.Combine("lock")} (one agent per outbox)", error.Message);
    }

    [Fact]
    public void Open_DamagedCursor_ReplaysEverythingStillInTheLog()
    {
        using (var outbox = Open())
        {
            outbox.Append("t", "m1"u8, retain: false);
            outbox.Append("t", "m2"u8, retain: false);
            outbox.Complete(outbox.Peek()!, delivered: true);
        }

        File.WriteAllBytes(_directory.Combine("acked"), [1, 2, 3]);
        using var reopened = Open();

        Assert.Equal(["m1", "m2"], Drain(reopened, delivered: true).Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
    }

    [Fact]
    public async Task WaitForPendingAsync_Empty_CompletesOnTheNextAppend()
    {
        using var outbox = Open();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waiting = outbox.WaitForPendingAsync(bound.Token);
        Assert.False(waiting.IsCompleted);

        outbox.Append("t", "m"u8, retain: false);

        await waiting;
        Assert.True(outbox.WaitForPendingAsync(bound.Token).IsCompleted);
    }

    [Fact]
    public void CopyWaitingAfter_FirstTwoInFlight_CopiesTheNextOnesOldestFirstAndLeavesThemWaiting()
    {
        using var outbox = Open();
        for (var i = 1; i <= 5; i++)
        {
            outbox.Append("t", Encoding.UTF8.GetBytes($"m{i}"), retain: false);
        }

        var next = new OutboxRecord[2];
        var copied = outbox.CopyWaitingAfter(2, next);
        var all = new OutboxRecord[8];
        var copiedAll = outbox.CopyWaitingAfter(0, all);

        Assert.Equal(2, copied);
        Assert.Equal(["m3", "m4"], next.Select(r => Encoding.UTF8.GetString(r.Payload.Span)));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], all.Take(copiedAll).Select(r => r.Id));
        Assert.Equal(0, outbox.CopyWaitingAfter(5, all));
        Assert.Equal(5L, outbox.Counters.Pending);
    }

    [Fact]
    public async Task WaitForWaitingAfterAsync_AllSent_CompletesOnlyOnTheNextAppend()
    {
        using var outbox = Open();
        outbox.Append("t", "m1"u8, retain: false);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(outbox.WaitForWaitingAfterAsync(0, bound.Token).IsCompleted);
        var waiting = outbox.WaitForWaitingAfterAsync(1, bound.Token);
        Assert.False(waiting.IsCompleted);

        outbox.Append("t", "m2"u8, retain: false);

        await waiting;
        Assert.False(outbox.WaitForWaitingAfterAsync(2, bound.Token).IsCompleted);
    }

    private DurableOutbox Open(OutboxOptions? options = null) => DurableOutbox.Open(_directory.Path, options ?? new OutboxOptions(), _logger, _clock);

    /// <summary>Header (8), id (8), time (8), flags (1), topic length (2), topic, payload.</summary>
    private static int OutboxRecordLength(string topic, int payloadLength) => 27 + Encoding.UTF8.GetByteCount(topic) + payloadLength;

    private static List<OutboxRecord> Drain(DurableOutbox outbox, bool delivered)
    {
        var records = new List<OutboxRecord>();
        while (outbox.Peek() is { } record)
        {
            records.Add(record);
            outbox.Complete(record, delivered);
        }

        return records;
    }
}
