namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>What became of one publish.</summary>
internal enum PublishOutcome
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
