namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>
/// Bounds of the durable outbox (configuration section <c>Mqtt:Outbox</c>). Within them no QoS 1 message is lost
/// across broker outages and agent crashes; past them the oldest messages are dropped and counted.
/// </summary>
internal sealed class OutboxOptions
{
    /// <summary>Where the log lives; empty: <c>&lt;state directory&gt;/outbox/&lt;client id&gt;</c>.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Bytes of messages waiting for delivery (topic, payload and record header); the oldest go beyond it.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long a message may wait; older ones are dropped, and what is sent carries the rest as MQTT message expiry.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// QoS 1 publishes sent ahead of their PUBACKs, so a slow link (cellular, satellite) carries more than one message
    /// per round trip; the broker's Receive Maximum lowers it further. 1: wait for each PUBACK before the next.
    /// </summary>
    public int MaxInFlight { get; set; } = 16;

    /// <summary>
    /// Size at which the log moves on to a new segment file, so delivered messages can be deleted a file at a time:
    /// an eighth of <see cref="MaxBytes"/>, at least 64 KB and at most 4 MB.
    /// </summary>
    public long SegmentBytes => Math.Clamp(MaxBytes / 8, 64 * 1024, 4 * 1024 * 1024);
}
