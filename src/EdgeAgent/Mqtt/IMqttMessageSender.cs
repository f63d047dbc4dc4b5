using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The publish path between the agent's messages and the broker. <see cref="MqttConnection"/> sends at once and drops
/// what arrives while it is disconnected; QoS 1 topics go through the durable outbox in front of it instead.
/// </summary>
public interface IMqttMessageSender
{
    /// <summary>
    /// Publishes one message. <paramref name="payload"/> is borrowed for the duration of the call only; an
    /// implementation that keeps the message beyond it must copy the bytes. Never throws for a broker or network
    /// failure: the outcome says what happened.
    /// </summary>
    ValueTask<PublishOutcome> SendAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken);
}

public enum PublishOutcome
{
    /// <summary>QoS 0: written to the connection; QoS 1: acknowledged with a success reason code.</summary>
    Published,

    /// <summary>Not tried: no connection to the broker at the time.</summary>
    NotConnected,

    /// <summary>Tried and failed: an error or a timeout; the broker may or may not have the message.</summary>
    Failed,

    /// <summary>The broker answered with a failure reason code (not authorised, say): sending it again will not help.</summary>
    Rejected,
}
