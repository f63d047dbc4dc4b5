using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>The MQTT side's log lines. None of them carries a user name or a password.</summary>
internal static partial class MqttLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connection loop started: broker {Host}:{Port}, client id {ClientId}")]
    public static partial void ConnectionLoopStarted(ILogger logger, string host, int port, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connection loop stopped")]
    public static partial void ConnectionLoopStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port}; status {StatusTopic} is online")]
    public static partial void Online(ILogger logger, string host, int port, string statusTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} refused the connection: {ResultCode}; retrying in {Delay}")]
    public static partial void ConnectRefused(ILogger logger, string host, int port, string resultCode, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} not reachable ({Reason}); retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port} lost ({Reason}); detections are dropped until it is back")]
    public static partial void ConnectionLost(ILogger logger, string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port} lasted only {Lasted}; reconnecting in {Delay}")]
    public static partial void ShortConnection(ILogger logger, string host, int port, TimeSpan lasted, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT connection loop: unexpected error; retrying in {Delay}")]
    public static partial void ConnectionLoopError(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish to {Topic} failed: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT stopped cleanly; status {StatusTopic} is stopped")]
    public static partial void Stopped(ILogger logger, string statusTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT clean stop incomplete ({Reason}); the broker will publish the last will")]
    public static partial void StopIncomplete(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT subscription to {Filter} failed: {Reason}; it is tried again on the next connect")]
    public static partial void SubscribeFailed(ILogger logger, string filter, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT: a handler run after connecting failed; the connection goes on")]
    public static partial void ConnectedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT command refused: {Reason}")]
    public static partial void CommandRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT commands: {Count} more refusals not logged in the last {Window}")]
    public static partial void CommandRejectionsSuppressed(ILogger logger, long count, TimeSpan window);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {Camera}: detection {State} by command")]
    public static partial void DetectSwitched(ILogger logger, string camera, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT camera state: publishing {Topic} gave {Outcome}; it is published again on the next connect")]
    public static partial void CameraStateNotPublished(ILogger logger, string topic, PublishOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT stats loop started: {Topic} every {Interval}")]
    public static partial void StatsLoopStarted(ILogger logger, string topic, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT stats loop stopped")]
    public static partial void StatsLoopStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT stats loop: reading the pipeline statistics failed")]
    public static partial void StatsSnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}; watch with: mosquitto_sub -h {Address} -p {Port} -v -t '{Prefix}/#'")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, string address, int port, string prefix);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker stopped")]
    public static partial void EmbeddedBrokerStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker refused client {ClientId}: wrong user name or password")]
    public static partial void EmbeddedBrokerRefused(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host} not trusted over TLS: {Reason}")]
    public static partial void BrokerCertificateRejected(ILogger logger, string host, string reason);
}
