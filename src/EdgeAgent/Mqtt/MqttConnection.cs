using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// One MQTT 5 session with the broker, kept up by a reconnect loop (capped exponential backoff with jitter). The
/// status topic tells subscribers the agent's state: the broker holds the retained will <c>offline</c>, the
/// agent publishes retained <c>online</c> after every connect and retained <c>stopped</c> on a clean stop, then
/// disconnects normally so the will is discarded [MQTT-3.1.2-10]. Publishing never throws for a lost connection;
/// messages arriving while disconnected are dropped and counted (QoS 1 messages wait in the durable outbox instead).
/// The session starts with clean start false and a session expiry, so the broker keeps it across short outages; the
/// client does not keep its own in-flight messages, the outbox sends them again.
/// </summary>
internal sealed class MqttConnection : IAsyncDisposable
{
    public const string OnlinePayload = "online";
    public const string OfflinePayload = "offline";
    public const string StoppedPayload = "stopped";

    /// <summary>A connection that lasted this long resets the reconnect backoff; a shorter one grows it.</summary>
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(10);

    private readonly MqttOptions _options;
    private readonly MqttTopics _topics;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly string _host;
    private readonly BrokerTls? _tls;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _online = NewSignal();
    private TaskCompletionSource<string>? _lost;
    private Task? _loop;
    private int _receiveMaximum = ushort.MaxValue;
    private long _published;
    private long _failed;
    private long _dropped;
    private long _reconnects;
    private int _failureLogged;

    public MqttConnection(MqttOptions options, MqttTopics topics, ILogger<MqttConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _topics = topics ?? throw new ArgumentNullException(nameof(topics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _host = options.UsesEmbeddedBroker ? EmbeddedBroker.ClientAddress(options.Embedded) : options.Host!;
        Port = options.UsesEmbeddedBroker ? options.Embedded.Port : options.Port;

        var builder = new MqttClientFactory().CreateClientOptionsBuilder()
            .WithTcpServer(_host, Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(options.EffectiveClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(options.ConnectTimeout)
            .WithWillTopic(topics.Status)
            .WithWillPayload(OfflinePayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        var credentials = MqttCredentials.Load(options);
        if (!string.IsNullOrEmpty(credentials.Username))
        {
            builder = builder.WithCredentials(credentials.Username, credentials.Password);
        }

        if (options.Tls.Enabled && !options.UsesEmbeddedBroker)
        {
            _tls = BrokerTls.Load(options.Tls, _host, logger);
            builder = _tls.Apply(builder);
        }

        _clientOptions = builder.Build();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>
    /// Raised after every (re)connect, once <c>online</c> is published: the place to subscribe (the session starts
    /// clean) and to publish retained state again. A handler that fails is logged; the connection goes on.
    /// </summary>
    public event Func<CancellationToken, Task>? Connected;

    /// <summary>Messages the broker delivers for this client's subscriptions.</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task> MessageReceived
    {
        add => _client.ApplicationMessageReceivedAsync += value;
        remove => _client.ApplicationMessageReceivedAsync -= value;
    }

    /// <summary>The broker's port this connection uses (the embedded broker's when no host is configured).</summary>
    public int Port { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>
    /// The broker's MQTT 5 Receive Maximum from the last CONNACK: how many QoS 1 publishes it takes before their
    /// PUBACKs. 65535 when it did not say (the protocol's default), and before the first connection.
    /// </summary>
    public int ReceiveMaximum => Volatile.Read(ref _receiveMaximum);

    public MqttPublisherCounters Counters => new(
        Interlocked.Read(ref _published),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _reconnects),
        _client.IsConnected);

    /// <summary>Starts the connection loop and returns at once; the first connection is made in the background.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The MQTT connection has already been started.");
        }

        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>Completes once the agent is connected and has published <c>online</c> on the status topic.</summary>
    public Task WaitUntilOnlineAsync(CancellationToken cancellationToken) => Volatile.Read(ref _online).Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Publishes one message at once, or drops it while disconnected (QoS 1 topics go through the durable outbox
    /// in front of this instead). <paramref name="payload"/> is borrowed for the duration of the call only. Never
    /// throws for a broker or network failure: the outcome says what happened.
    /// </summary>
    public ValueTask<PublishOutcome> SendAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken) =>
        SendAsync(topic, payload, qos, retain, messageExpirySeconds: 0, cancellationToken);

    /// <summary>
    /// As the other <c>SendAsync</c>, with an MQTT 5 message expiry: the broker discards the message after
    /// <paramref name="messageExpirySeconds"/> if no subscriber has taken it, so nobody reads stale data (0: never).
    /// </summary>
    public async ValueTask<PublishOutcome> SendAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, bool retain, uint messageExpirySeconds, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            Interlocked.Increment(ref _dropped);
            return PublishOutcome.NotConnected;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            return await PublishAsync(Message(topic, payload, qos, retain, messageExpirySeconds), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return Fail(topic, $"no completion within {_options.PublishTimeout}");
        }
    }

    /// <summary>
    /// Starts a QoS 1 publish that may wait for its PUBACK while later ones are sent: publishes started one after
    /// another from one thread go out in that order (the client queues them for its socket first come, first served),
    /// and MQTT keeps them in order through the broker. It has no timeout, since a publish given up before it reached
    /// the socket would let the next one overtake it: it ends with the PUBACK or with the loss of the connection,
    /// which <see cref="RequestReconnect"/> forces. <paramref name="payload"/> must stay unchanged until then.
    /// </summary>
    public Task<PublishOutcome> StartPublish(string topic, ReadOnlyMemory<byte> payload, bool retain, uint messageExpirySeconds)
    {
        if (!_client.IsConnected)
        {
            Interlocked.Increment(ref _dropped);
            return Task.FromResult(PublishOutcome.NotConnected);
        }

        return PublishAsync(Message(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain, messageExpirySeconds), CancellationToken.None);
    }

    /// <summary>Subscribes within the publish timeout; false (and one log line) when the broker refuses or does not answer.</summary>
    public async Task<bool> SubscribeAsync(MqttClientSubscribeOptions subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var filter = string.Join(", ", subscription.TopicFilters.Select(f => f.Topic));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            var result = await _client.SubscribeAsync(subscription, timeout.Token).ConfigureAwait(false);
            var refused = result.Items.FirstOrDefault(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2);
            if (refused is null)
            {
                return true;
            }

            MqttLog.SubscribeFailed(_logger, filter, $"reason code {refused.ResultCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            MqttLog.SubscribeFailed(_logger, filter, $"no SUBACK within {_options.PublishTimeout}");
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            MqttLog.SubscribeFailed(_logger, filter, Describe(ex));
        }

        return false;
    }

    /// <summary>
    /// Drops the current connection so the loop makes a new one: for a connection the client believes is up while
    /// nothing it publishes completes (a broker that hangs with its socket open). No effect while disconnected.
    /// </summary>
    public void RequestReconnect(string reason) => Volatile.Read(ref _lost)?.TrySetResult(reason);

    /// <summary>
    /// Stops the loop, publishes retained <c>stopped</c> and disconnects normally. When that cannot be done (no
    /// connection, a timeout) the broker's will <c>offline</c> stands, which is what a subscriber should see then.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            var outcome = await SendAsync(_topics.Status, StatusBytes.Stopped, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
            if (outcome != PublishOutcome.Published)
            {
                MqttLog.StopIncomplete(_logger, $"publishing '{StoppedPayload}' {outcome}");
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.PublishTimeout);
            var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build();
            await _client.DisconnectAsync(disconnect, timeout.Token).ConfigureAwait(false);
            MqttLog.Stopped(_logger, _topics.Status);
        }
        catch (OperationCanceledException ex)
        {
            MqttLog.StopIncomplete(_logger, cancellationToken.IsCancellationRequested ? "the host's stop timeout ran out" : Describe(ex));
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            MqttLog.StopIncomplete(_logger, Describe(ex));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _client.DisconnectedAsync -= OnDisconnectedAsync;
        _client.Dispose();
        _tls?.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        MqttLog.ConnectionLoopStarted(_logger, _host, Port, _options.EffectiveClientId);
        // 0.8–1.2× of each step, so devices that lost the same broker do not all return at once.
        var backoff = new ReconnectBackoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay, lowest: 0.8, highest: 1.2);
        var everConnected = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _lost, lost);
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                {
                    timeout.CancelAfter(_options.ConnectTimeout);
                    MqttClientConnectResult result;
                    try
                    {
                        result = await _client.ConnectAsync(_clientOptions, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                    {
                        throw new TimeoutException($"no CONNACK within {_options.ConnectTimeout}");
                    }
                    catch (MqttConnectingFailedException ex) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
                    {
                        throw new TimeoutException($"no CONNACK within {_options.ConnectTimeout}", ex);
                    }

                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        var wait = backoff.NextDelay();
                        MqttLog.ConnectRefused(_logger, _host, Port, result.ResultCode.ToString(), wait);
                        await Task.Delay(wait, stopping).ConfigureAwait(false);
                        continue;
                    }

                    // Absent means 65535 [MQTT-3.2.2.3.3]; 0 is a protocol error, read as absent.
                    Volatile.Write(ref _receiveMaximum, result.ReceiveMaximum is { } maximum and > 0 ? maximum : ushort.MaxValue);
                }

                if (everConnected)
                {
                    Interlocked.Increment(ref _reconnects);
                }

                everConnected = true;
                var connectedAt = Stopwatch.GetTimestamp();
                if (await SendAsync(_topics.Status, StatusBytes.Online, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, stopping).ConfigureAwait(false) == PublishOutcome.Published)
                {
                    MqttLog.Online(_logger, _host, Port, _topics.Status);
                    Volatile.Read(ref _online).TrySetResult();
                }

                await RaiseConnectedAsync(stopping).ConfigureAwait(false);

                var reason = await lost.Task.WaitAsync(stopping).ConfigureAwait(false);
                MarkOffline();
                if (_client.IsConnected)
                {
                    await AbandonConnectionAsync(stopping).ConfigureAwait(false);
                }

                MqttLog.ConnectionLost(_logger, _host, Port, reason);

                // A connection that held is over: try again at once. One dropped right after it was made (a client
                // with the same id taking it over, a broker refusing us after CONNACK) counts as a failed attempt,
                // or the two sides would reconnect as fast as the network allows.
                var lasted = Stopwatch.GetElapsedTime(connectedAt);
                if (lasted >= StableConnection)
                {
                    backoff.Reset();
                }
                else
                {
                    var wait = backoff.NextDelay();
                    MqttLog.ShortConnection(_logger, _host, Port, lasted, wait);
                    if (!await DelayAsync(wait, stopping).ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                var wait = backoff.NextDelay();
                MqttLog.ConnectFailed(_logger, _host, Port, Describe(ex), wait);
                if (!await DelayAsync(wait, stopping).ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex)
            {
                var wait = backoff.NextDelay();
                MqttLog.ConnectionLoopError(_logger, ex, wait);
                if (!await DelayAsync(wait, stopping).ConfigureAwait(false))
                {
                    break;
                }
            }
        }

        MqttLog.ConnectionLoopStopped(_logger);
    }

    private async Task RaiseConnectedAsync(CancellationToken stopping)
    {
        foreach (var handler in Connected?.GetInvocationList().Cast<Func<CancellationToken, Task>>() ?? [])
        {
            try
            {
                await handler(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                MqttLog.ConnectedHandlerFailed(_logger, ex);
            }
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        // A failed connect attempt raises this event too (ClientWasConnected false); the loop sees that failure
        // from ConnectAsync itself, so only the loss of an established connection is passed on.
        if (args.ClientWasConnected)
        {
            Volatile.Read(ref _lost)?.TrySetResult(DescribeLoss(args));
        }

        return Task.CompletedTask;
    }

    /// <summary>Disconnects from a broker that stopped answering; bounded, since the broker may never read the DISCONNECT.</summary>
    private async Task AbandonConnectionAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build();
            await _client.DisconnectAsync(disconnect, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // The client closes its socket on cancellation as well; the next connect starts afresh.
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            // Already gone: what this wanted.
        }
    }

    private void MarkOffline()
    {
        var current = Volatile.Read(ref _online);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _online, NewSignal(), current);
        }
    }

    private static MqttApplicationMessage Message(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, bool retain, uint messageExpirySeconds) => new()
    {
        Topic = topic,
        Payload = new ReadOnlySequence<byte>(payload),
        QualityOfServiceLevel = qos,
        Retain = retain,
        MessageExpiryInterval = messageExpirySeconds,
    };

    /// <summary>Publishes and classifies the result; only a cancellation of <paramref name="cancellationToken"/> escapes.</summary>
    private async Task<PublishOutcome> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                Interlocked.Increment(ref _published);
                Volatile.Write(ref _failureLogged, 0);
                return PublishOutcome.Published;
            }

            var outcome = Fail(message.Topic, $"reason code {result.ReasonCode}" + (string.IsNullOrEmpty(result.ReasonString) ? string.Empty : $" ({result.ReasonString})"));
            return IsRetryable(result.ReasonCode) ? outcome : PublishOutcome.Rejected;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A connection lost mid-publish is the common case; anything else is still this message's failure,
            // never the caller's: the pipeline must not stop because the broker misbehaved.
            return Fail(message.Topic, IsTransient(ex) ? Describe(ex) : $"{ex.GetType().Name}: {Describe(ex)}");
        }
    }

    /// <summary>
    /// Failure reason codes that say "not now" rather than "never": over the broker's Receive Maximum (quota
    /// exceeded) or a packet identifier still in use. The message is sent again, not dropped.
    /// </summary>
    public static bool IsRetryable(MqttClientPublishReasonCode code) =>
        code is MqttClientPublishReasonCode.QuotaExceeded or MqttClientPublishReasonCode.PacketIdentifierInUse;

    private PublishOutcome Fail(string topic, string reason)
    {
        Interlocked.Increment(ref _failed);

        // One line per run of failures: a broker that rejects every frame must not flood the log.
        if (Interlocked.Exchange(ref _failureLogged, 1) == 0)
        {
            MqttLog.PublishFailed(_logger, topic, reason);
        }

        return PublishOutcome.Failed;
    }


    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is MqttCommunicationException or SocketException or IOException or TimeoutException or ObjectDisposedException;

    private static string DescribeLoss(MqttClientDisconnectedEventArgs args) =>
        args.Exception is { } ex ? $"{args.Reason}: {Describe(ex)}" : args.Reason.ToString();

    /// <summary>
    /// The innermost message: MQTTnet wraps a refused socket in two layers. Credentials are never part of an
    /// exception message here; the client options that hold them are not formatted anywhere.
    /// </summary>
    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static class StatusBytes
    {
        public static readonly ReadOnlyMemory<byte> Online = "online"u8.ToArray();
        public static readonly ReadOnlyMemory<byte> Stopped = "stopped"u8.ToArray();
    }
}
