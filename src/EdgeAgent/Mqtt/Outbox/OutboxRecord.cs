namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>One message accepted into the <see cref="DurableOutbox"/>, numbered in the order it was accepted.</summary>
/// <param name="Id">Position in the log: one more than the message accepted before it, across restarts.</param>
/// <param name="AcceptedAt">When it was written and flushed; its age counts from here.</param>
/// <param name="EncodedBytes">Bytes it takes in the log, header included: what counts against the byte bound.</param>
internal sealed record OutboxRecord(long Id, DateTimeOffset AcceptedAt, string Topic, bool Retain, ReadOnlyMemory<byte> Payload, int EncodedBytes);

/// <summary>What the outbox has done since it was opened; part of every stats message.</summary>
/// <param name="Pending">Messages waiting for a PUBACK (including those recovered from an earlier run).</param>
/// <param name="PendingBytes">Their bytes, as counted against <see cref="OutboxOptions.MaxBytes"/>.</param>
/// <param name="Accepted">Messages written and flushed to disk in this run.</param>
/// <param name="Delivered">Messages the broker acknowledged with a success reason code.</param>
/// <param name="Replayed">Messages found undelivered in the log when it was opened (sent before anything new).</param>
/// <param name="DroppedFull">Oldest messages dropped to stay within <see cref="OutboxOptions.MaxBytes"/>.</param>
/// <param name="DroppedExpired">Messages dropped because they waited longer than <see cref="OutboxOptions.MaxAge"/>.</param>
/// <param name="Rejected">Messages the broker refused with a failure reason code (not authorised, say); not retried.</param>
/// <param name="Unsaved">Messages that could not be written to disk (full or failing); kept in memory only and delivered if the agent lives.</param>
/// <param name="InFlight">Publishes sent and waiting for their PUBACK right now (delivery's, not the log's).</param>
/// <param name="MaxInFlightSeen">The most that were in flight at once since the start: at most <see cref="OutboxOptions.MaxInFlight"/>.</param>
internal sealed record OutboxCounters(
    long Pending,
    long PendingBytes,
    long Accepted,
    long Delivered,
    long Replayed,
    long DroppedFull,
    long DroppedExpired,
    long Rejected,
    long Unsaved,
    long InFlight = 0,
    long MaxInFlightSeen = 0);
