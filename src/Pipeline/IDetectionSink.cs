namespace EdgeVision.Pipeline;

/// <summary>
/// Where processed frames go (MQTT in the agent, a collector in tests and benchmarks). The pipeline awaits
/// each call from its single publish loop, so a slow sink backs up into the bounded publish channel.
/// </summary>
public interface IDetectionSink
{
    ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken);
}
