using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// Keeps each camera's retained topics true: <c>&lt;camera&gt;/status</c> (<c>online</c>/<c>offline</c>) and
/// <c>&lt;camera&gt;/detect/state</c> (<c>ON</c>/<c>OFF</c>), and for a camera with motion detection
/// <c>&lt;camera&gt;/motion</c> (<c>ON</c> while something moves, <c>OFF</c> once still for two seconds), QoS 1. A change marks its camera; one loop publishes the
/// current state of marked cameras, so a camera that flaps faster than the broker takes messages ends on its
/// latest state rather than queueing every flap. Every (re)connect marks all cameras, because a broker that
/// restarted without persistence has forgotten them. On a clean stop every camera is published
/// <c>offline</c>; when the agent dies, the device's will (<c>&lt;device&gt;/status</c> <c>offline</c>) stands for all
/// its cameras.
/// </summary>
internal sealed class CameraStatePublisher : BackgroundService
{
    public const string DetectingPayload = "ON";
    public const string PausedPayload = "OFF";

    private readonly MqttPublisher _publisher;
    private readonly CameraStates _states;
    private readonly ILogger<CameraStatePublisher> _logger;
    private readonly ConcurrentDictionary<string, byte> _marked = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public CameraStatePublisher(MqttPublisher publisher, CameraStates states, ILogger<CameraStatePublisher> logger)
    {
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _states = states ?? throw new ArgumentNullException(nameof(states));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _states.StatusChanged += (_, e) => Mark(e.Camera);
        _states.MotionChanged += (_, e) => Mark(e.Camera);
        _publisher.Connection.Connected += _ =>
        {
            MarkAll();
            return Task.CompletedTask;
        };
    }

    /// <summary>Publishes <paramref name="camera"/>'s current state soon; cheap enough for a capture thread.</summary>
    public void Mark(string camera)
    {
        _marked[camera] = 0;
        _wake.Writer.TryWrite(true);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_publisher.Connection.IsConnected)
        {
            return;
        }

        foreach (var camera in _states.Cameras)
        {
            await SendAsync(_publisher.Topics.CameraStatus(camera), MqttConnection.OfflinePayload, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MarkAll();
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                foreach (var camera in _marked.Keys)
                {
                    _marked.TryRemove(camera, out _);
                    await PublishAsync(camera, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Publishes every camera's current state soon (after a connect, or when a consumer such as Home Assistant comes back).</summary>
    public void MarkAll()
    {
        foreach (var camera in _states.Cameras)
        {
            Mark(camera);
        }
    }

    private async Task PublishAsync(string camera, CancellationToken cancellationToken)
    {
        var topics = _publisher.Topics;
        var status = _states.IsOnline(camera) ? MqttConnection.OnlinePayload : MqttConnection.OfflinePayload;
        await SendAsync(topics.CameraStatus(camera), status, cancellationToken).ConfigureAwait(false);
        await SendAsync(topics.DetectState(camera), _states.IsDetecting(camera) ? DetectingPayload : PausedPayload, cancellationToken).ConfigureAwait(false);
        if (_states.IsMoving(camera) is { } moving)
        {
            await SendAsync(topics.Motion(camera), moving ? DetectingPayload : PausedPayload, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(string topic, string payload, CancellationToken cancellationToken)
    {
        var outcome = await _publisher.Connection.SendAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);

        // Not connected: the next connect marks every camera again, so nothing is lost by not retrying here.
        if (outcome == PublishOutcome.Failed)
        {
            MqttLog.CameraStateNotPublished(_logger, topic, outcome);
        }
    }
}
