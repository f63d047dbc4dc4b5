using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The pipeline's sink: every frame's detections go to <c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/detections</c> as
/// QoS 0 JSON. Per-frame messages are lossy by design: while the broker is away they are dropped and counted, and
/// the pipeline never waits for a reconnect nor sees an exception from the network. Start and stop it as a hosted
/// service; it owns the <see cref="MqttConnection"/>.
/// </summary>
public sealed class MqttPublisher : IDetectionSink, IHostedService, IAsyncDisposable
{
    private readonly MqttConnection _connection;
    private readonly IMqttMessageSender _sender;
    private readonly string _device;

    // One cached writer covers the pipeline's single publish loop without allocating; a concurrent caller gets
    // its own. A writer whose bytes may still be in flight (a failed or cancelled send) is not reused.
    private DetectionMessageWriter? _idleWriter;

    public MqttPublisher(IOptions<MqttOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var value = options.Value;
        Topics = new MqttTopics(value.TopicPrefix, value.DeviceId);
        _device = value.DeviceId;
        _connection = new MqttConnection(value, Topics, loggerFactory.CreateLogger<MqttConnection>());
        _sender = _connection;
        _idleWriter = new DetectionMessageWriter(_device);
    }

    public MqttTopics Topics { get; }

    public MqttConnection Connection => _connection;

    public MqttPublisherCounters Counters => _connection.Counters;

    /// <summary>Starts connecting in the background; a missing broker does not fail the start.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _connection.Start();
        return Task.CompletedTask;
    }

    /// <summary>Publishes retained <c>stopped</c> and disconnects normally, so the broker discards the will.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _connection.StopAsync(cancellationToken);

    public Task WaitUntilOnlineAsync(CancellationToken cancellationToken) => _connection.WaitUntilOnlineAsync(cancellationToken);

    public async ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var topic = Topics.Detections(frame.Camera);
        var writer = Interlocked.Exchange(ref _idleWriter, null) ?? new DetectionMessageWriter(_device);
        var payload = writer.Write(frame);
        var outcome = await _sender.SendAsync(topic, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, cancellationToken).ConfigureAwait(false);
        if (outcome != PublishOutcome.Failed)
        {
            Volatile.Write(ref _idleWriter, writer);
        }

        if (frame.Analytics is { } analytics)
        {
            await PublishAnalyticsAsync(frame.Camera, analytics, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Events and captions at QoS 1, counts retained at QoS 1 (only changes arrive here). While the broker is
    /// away they are dropped and counted like detections; the durable outbox is what will keep them.
    /// </summary>
    private async ValueTask PublishAnalyticsAsync(string camera, Pipeline.Analytics.FrameAnalytics analytics, CancellationToken cancellationToken)
    {
        foreach (var e in analytics.Events)
        {
            await _sender.SendAsync(Topics.Events(camera), EventMessages.Event(_device, e), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
            if (e.Caption is not null)
            {
                await _sender.SendAsync(Topics.Captions(camera), EventMessages.Caption(_device, e), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var snapshot in analytics.Snapshots)
        {
            await _sender.SendAsync(Topics.Snapshot(camera, snapshot.Label), snapshot.Jpeg, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
        }

        if (analytics.Summary is { } summary)
        {
            await _sender.SendAsync(Topics.Captions(camera), EventMessages.Summary(_device, camera, summary), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
        }

        foreach (var count in analytics.Counts)
        {
            var direction = count.Direction is { } d ? (d == Pipeline.Analytics.CrossingDirection.In ? "in" : "out") : null;
            var topic = Topics.Count(camera, count.Area, count.Label, direction);
            await _sender.SendAsync(topic, EventMessages.Count(count), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes one stats message (QoS 0: the next one follows within the stats interval).</summary>
    public ValueTask<PublishOutcome> PublishStatsAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _sender.SendAsync(Topics.Stats, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
