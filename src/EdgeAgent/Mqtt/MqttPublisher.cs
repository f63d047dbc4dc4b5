using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.EdgeAgent.Mqtt.Outbox;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The pipeline's sink: every frame's detections go to <c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/detections</c> as
/// QoS 0 JSON. Per-frame messages are lossy by design: while the broker is away they are dropped and counted, and
/// the pipeline never waits for a reconnect nor sees an exception from the network. Events, captions, summaries
/// and counts are QoS 1 and go into the <see cref="DurableOutbox"/> (flushed to disk before the frame counts as
/// published), from which <see cref="OutboxDelivery"/> sends them. Start and stop it as a hosted service; it owns
/// the <see cref="MqttConnection"/> and the outbox.
/// </summary>
internal sealed class MqttPublisher : IDetectionSink, IHostedService, IAsyncDisposable
{
    private readonly MqttConnection _connection;
    private readonly DurableOutbox _outbox;
    private readonly OutboxDelivery _delivery;
    private readonly string _device;
    private readonly TimeSpan _drainLimit;
    private readonly bool _usesEmbeddedBroker;
    private readonly TimeSpan _connectTimeout;

    // One cached writer covers the pipeline's single publish loop without allocating; a concurrent caller gets
    // its own. A writer whose bytes may still be in flight (a failed or cancelled send) is not reused.
    private DetectionMessageWriter? _idleWriter;
    private int _disposed;

    // Count topics this process has published; guarded with the appends so a zero for an unknown count cannot
    // land behind a real value.
    private readonly HashSet<string> _countsPublished = new(StringComparer.Ordinal);

    /// <exception cref="UserFacingException">The outbox directory cannot be opened (permissions, another agent holds it).</exception>
    public MqttPublisher(IOptions<MqttOptions> options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var value = options.Value;
        Topics = new MqttTopics(value.TopicPrefix, value.DeviceId);
        _device = value.DeviceId;
        _outbox = OpenOutbox(value, loggerFactory.CreateLogger<DurableOutbox>());
        _connection = new MqttConnection(value, Topics, loggerFactory.CreateLogger<MqttConnection>());
        _delivery = new OutboxDelivery(_outbox, _connection, value, loggerFactory.CreateLogger<OutboxDelivery>());
        _idleWriter = new DetectionMessageWriter(_device);
        _drainLimit = value.PublishTimeout;
        _usesEmbeddedBroker = value.UsesEmbeddedBroker;
        _connectTimeout = value.ConnectTimeout;
    }

    public MqttTopics Topics { get; }

    public MqttConnection Connection => _connection;

    public MqttPublisherCounters Counters => _connection.Counters;

    public DurableOutbox Outbox => _outbox;

    /// <summary>The outbox's counters with delivery's publishes in flight, as the stats message reports them.</summary>
    public OutboxCounters OutboxCounters => _outbox.Counters with { InFlight = _delivery.InFlight, MaxInFlightSeen = _delivery.MaxInFlightSeen };

    /// <summary>The default outbox location: one per client id, since its messages belong to that device's session.</summary>
    public static string DefaultOutboxDirectory(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(StateDirectory.Combine("outbox"), MqttOptions.SanitizeDeviceId(options.EffectiveClientId));
    }

    /// <summary>
    /// Starts connecting and delivering in the background; a missing broker does not fail the start. With the
    /// embedded broker (in this process, started before) it waits for the first connection, at most
    /// <see cref="MqttOptions.ConnectTimeout"/>, so the first frames' detections are not dropped for a connection
    /// that takes milliseconds. An external broker is never waited for: frames flow while it is away.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _connection.Start();
        _delivery.Start();
        if (!_usesEmbeddedBroker)
        {
            return;
        }

        try
        {
            await _connection.WaitUntilOnlineAsync(cancellationToken).WaitAsync(_connectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The connection loop logs why and keeps trying; the agent starts without it.
        }
    }

    /// <summary>
    /// Gives delivery up to <see cref="MqttOptions.PublishTimeout"/> to send what waits, stops it (what still waits stays
    /// on disk for the next run), publishes retained <c>stopped</c> and disconnects normally, so the broker discards the will.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _delivery.DrainAsync(_drainLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's stop timeout ran out; what waits stays on disk.
        }

        await _delivery.StopAsync().ConfigureAwait(false);
        await _connection.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task WaitUntilOnlineAsync(CancellationToken cancellationToken) => _connection.WaitUntilOnlineAsync(cancellationToken);

    public async ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var topic = Topics.Detections(frame.Camera);
        var writer = Interlocked.Exchange(ref _idleWriter, null) ?? new DetectionMessageWriter(_device);
        var payload = writer.Write(frame);
        var outcome = await _connection.SendAsync(topic, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, cancellationToken).ConfigureAwait(false);
        if (outcome != PublishOutcome.Failed)
        {
            // A writer a concurrent caller left idle meanwhile is not needed twice.
            Interlocked.Exchange(ref _idleWriter, writer)?.Dispose();
        }

        if (frame.Analytics is { } analytics)
        {
            await PublishAnalyticsAsync(frame.Camera, analytics, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Events, captions and summaries at QoS 1, counts retained at QoS 1 (only changes arrive here): appended to the
    /// outbox, each flushed to disk before this returns. Snapshots (large JPEGs, replaced by the next better view)
    /// stay out of it: retained, best effort, dropped while the broker is away.
    /// </summary>
    private async ValueTask PublishAnalyticsAsync(string camera, Pipeline.Analytics.FrameAnalytics analytics, CancellationToken cancellationToken)
    {
        foreach (var e in analytics.Events)
        {
            _outbox.Append(Topics.Events(camera), EventMessages.Event(_device, e), retain: false);
            if (e.Caption is not null)
            {
                _outbox.Append(Topics.Captions(camera), EventMessages.Caption(_device, e), retain: false);
            }
        }

        foreach (var snapshot in analytics.Snapshots)
        {
            await _connection.SendAsync(Topics.Snapshot(camera, snapshot.Label), snapshot.Jpeg, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
        }

        if (analytics.Summary is { } summary)
        {
            _outbox.Append(Topics.Captions(camera), EventMessages.Summary(_device, camera, summary), retain: false);
        }

        foreach (var count in analytics.Counts)
        {
            var direction = count.Direction is { } d ? (d == Pipeline.Analytics.CrossingDirection.In ? "in" : "out") : null;
            var topic = Topics.Count(camera, count.Area, count.Label, direction);
            lock (_countsPublished)
            {
                _countsPublished.Add(topic);
                _outbox.Append(topic, EventMessages.Count(count), retain: true);
            }
        }
    }

    /// <summary>
    /// Publishes <c>0</c>, retained through the outbox, on each of <paramref name="topics"/> that has had no count
    /// since the agent started (what its analytics hold: nothing counted yet), so a consumer that needs a value
    /// from the start (Home Assistant's sensors) has one. Returns how many were published.
    /// </summary>
    public int PublishZeroCounts(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var published = 0;
        lock (_countsPublished)
        {
            foreach (var topic in topics)
            {
                if (_countsPublished.Add(topic))
                {
                    _outbox.Append(topic, "0"u8, retain: true);
                    published++;
                }
            }
        }

        return published;
    }

    /// <summary>Publishes one stats message (QoS 0: the next one follows within the stats interval).</summary>
    public ValueTask<PublishOutcome> PublishStatsAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _connection.SendAsync(Topics.Stats, payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, cancellationToken);

    /// <summary>Idempotent: the host disposes this once as the sink and once as a hosted service.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _delivery.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _outbox.Dispose();
        Interlocked.Exchange(ref _idleWriter, null)?.Dispose();
    }

    private static DurableOutbox OpenOutbox(MqttOptions options, ILogger logger)
    {
        var directory = string.IsNullOrEmpty(options.Outbox.Directory) ? DefaultOutboxDirectory(options) : options.Outbox.Directory;
        try
        {
            return DurableOutbox.Open(directory, options.Outbox, logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"cannot open the MQTT outbox {directory}: {ex.Message}", 1, ex);
        }
    }
}
