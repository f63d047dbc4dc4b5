using System.Buffers;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// Pauses and resumes detection per camera on <c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/detect/set</c> (<c>ON</c>/<c>OFF</c>).
/// It subscribes after every connect (the session starts clean), without the broker's retained messages
/// (retain handling 2), so that an old retained command cannot act again. A refused command is logged with its
/// reason, at most <see cref="RejectionLinesPerMinute"/> lines a minute; nothing a client sends can throw out of
/// the handler or block the connection's receive loop: it only flips a switch and marks the camera for
/// <see cref="CameraStatePublisher"/>, which publishes the retained <c>detect/state</c>.
/// </summary>
internal sealed class DetectCommandHandler : IHostedService
{
    public const int RejectionLinesPerMinute = 10;

    private readonly MqttPublisher _publisher;
    private readonly CameraStates _states;
    private readonly CameraStatePublisher _statePublisher;
    private readonly ILogger<DetectCommandHandler> _logger;
    private readonly DetectCommandParser _parser;
    private readonly LogBudget _rejectionLog = new(RejectionLinesPerMinute, TimeSpan.FromMinutes(1));
    private long _accepted;
    private long _rejected;

    public DetectCommandHandler(MqttPublisher publisher, CameraStates states, CameraStatePublisher statePublisher, ILogger<DetectCommandHandler> logger)
    {
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _states = states ?? throw new ArgumentNullException(nameof(states));
        _statePublisher = statePublisher ?? throw new ArgumentNullException(nameof(statePublisher));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _parser = new DetectCommandParser(publisher.Topics, states.Contains);

        // Hooked here, not in StartAsync: the host builds every hosted service before starting any, and the
        // publisher, started first, may connect before this service's StartAsync runs.
        _publisher.Connection.MessageReceived += OnMessageAsync;
        _publisher.Connection.Connected += SubscribeAsync;
    }

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _publisher.Connection.Connected -= SubscribeAsync;
        _publisher.Connection.MessageReceived -= OnMessageAsync;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Pauses or resumes detection on a known camera and has its retained <c>detect/state</c> published; the one
    /// path for every way of switching (MQTT, HTTP).
    /// </summary>
    public void Apply(string camera, bool detect)
    {
        Interlocked.Increment(ref _accepted);
        var changed = _states.IsDetecting(camera) != detect;
        _states.SetDetecting(camera, detect);
        if (changed)
        {
            MqttLog.DetectSwitched(_logger, camera, detect ? "resumed" : "paused");
        }

        // Published even when unchanged: the sender learns its command arrived.
        _statePublisher.Mark(camera);
    }

    /// <summary>Checks one message and applies it; returns what was decided. Never throws for any input.</summary>
    public DetectCommandResult Handle(string? topic, ReadOnlySequence<byte> payload, bool retained)
    {
        DetectCommandResult result;
        try
        {
            result = _parser.Parse(topic, payload, retained);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OutOfMemoryException)
        {
            result = DetectCommandResult.Rejected($"unreadable command ({ex.GetType().Name})");
        }

        if (result.Command is { } command)
        {
            Apply(command.Camera, command.Detect);
            return result;
        }

        Interlocked.Increment(ref _rejected);
        if (_rejectionLog.TryTake(out var heldBack))
        {
            if (heldBack > 0)
            {
                MqttLog.CommandRejectionsSuppressed(_logger, heldBack, _rejectionLog.Window);
            }

            MqttLog.CommandRejected(_logger, result.Rejection!);
        }

        return result;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        if (message.Topic is { } topic && topic.StartsWith(_publisher.Topics.DevicePrefix, StringComparison.Ordinal)
            && topic.EndsWith("/" + MqttTopics.DetectCommandSuffix, StringComparison.Ordinal))
        {
            Handle(topic, message.Payload, message.Retain);
        }

        return Task.CompletedTask;
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var subscription = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f
                .WithTopic(_publisher.Topics.DetectCommandFilter)
                .WithAtLeastOnceQoS()
                .WithNoLocal()
                .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
            .Build();
        await _publisher.Connection.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
    }
}
