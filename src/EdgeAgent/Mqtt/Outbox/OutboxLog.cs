using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>The outbox's log lines; topics and sizes only, never a payload.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox {Directory}: {Pending} messages ({Bytes} bytes) from an earlier run to deliver; {Dropped} dropped past the bounds")]
    public static partial void Opened(ILogger logger, string directory, int pending, long bytes, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox segment {Path}: torn record at byte {Offset} (a crash mid-write); {Bytes} bytes cut")]
    public static partial void TornTail(ILogger logger, string path, int offset, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox cursor {Path} is damaged; everything still in the log is sent again")]
    public static partial void CursorDamaged(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox {Directory}: cannot write ({Reason}); messages are held in memory only until the disk takes them again")]
    public static partial void CannotWrite(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox full ({MaxBytes} bytes waiting): dropping the oldest messages; see outbox.dropped_full in stats")]
    public static partial void Full(ILogger logger, long maxBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: a message to {Topic} of {Bytes} bytes is larger than Mqtt:Outbox:MaxBytes ({MaxBytes}); dropped")]
    public static partial void TooLarge(ILogger logger, string topic, int bytes, long maxBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox delivery started: {Pending} messages waiting")]
    public static partial void DeliveryStarted(ILogger logger, long pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox delivery stopped: {Pending} messages waiting stay on disk")]
    public static partial void DeliveryStopped(ILogger logger, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: the broker refused the message to {Topic} ({Reason}); it is not sent again")]
    public static partial void Rejected(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publishes stalled: none completed for {Stalled} while connected with {Pending} messages waiting; reconnecting")]
    public static partial void Stalled(ILogger logger, TimeSpan stalled, long pending);
}
