using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>
/// Drains the <see cref="DurableOutbox"/> into the broker in the background, one message at a time and oldest
/// first, so each camera's messages arrive in the order they were accepted; a message leaves the outbox only on a
/// PUBACK. It also watches for a stalled connection: connected, messages waiting, and no publish completing for
/// <see cref="MqttOptions.PublishStallTimeout"/> — then it asks the connection to reconnect.
/// </summary>
public sealed class OutboxDelivery : IAsyncDisposable
{
    /// <summary>How often expired messages are dropped while the broker is away, so the stats stay exact.</summary>
    private static readonly TimeSpan ExpiryCheck = TimeSpan.FromSeconds(1);

    /// <summary>Pause after a failed publish before the next try (the connection may be going down).</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly DurableOutbox _outbox;
    private readonly MqttConnection _connection;
    private readonly TimeSpan _stallTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public OutboxDelivery(DurableOutbox outbox, MqttConnection connection, TimeSpan stallTimeout, ILogger logger)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _stallTimeout = stallTimeout;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("Outbox delivery has already been started.");
        }

        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// Gives delivery up to <paramref name="limit"/> to empty the outbox while connected: on a clean stop what the
    /// pipeline handed over last should not wait for the next run.
    /// </summary>
    public async Task DrainAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (_outbox.Counters.Pending > 0 && _connection.IsConnected && Stopwatch.GetElapsedTime(started) < limit && _loop is { IsCompleted: false })
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops after the publish in progress; what is still waiting stays in the outbox for the next run.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        OutboxLog.DeliveryStarted(_logger, _outbox.Counters.Pending);
        var lastProgress = Stopwatch.GetTimestamp();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await _outbox.WaitForPendingAsync(stopping).ConfigureAwait(false);
                if (!_connection.IsConnected)
                {
                    await WaitUntilOnlineAsync(stopping).ConfigureAwait(false);
                    lastProgress = Stopwatch.GetTimestamp();
                    continue;
                }

                if (_outbox.Peek() is not { } record)
                {
                    continue;
                }

                var outcome = await SendAsync(record, stopping).ConfigureAwait(false);
                switch (outcome)
                {
                    case PublishOutcome.Published:
                        _outbox.Complete(record, delivered: true);
                        lastProgress = Stopwatch.GetTimestamp();
                        break;
                    case PublishOutcome.Rejected:
                        OutboxLog.Rejected(_logger, record.Topic, "failure reason code");
                        _outbox.Complete(record, delivered: false);
                        lastProgress = Stopwatch.GetTimestamp();
                        break;
                    case PublishOutcome.Failed:
                        var stalled = Stopwatch.GetElapsedTime(lastProgress);
                        if (_connection.IsConnected && stalled >= _stallTimeout)
                        {
                            OutboxLog.Stalled(_logger, stalled, _outbox.Counters.Pending);
                            _connection.RequestReconnect($"no publish completed for {stalled:g}");
                            lastProgress = Stopwatch.GetTimestamp();
                        }

                        await Task.Delay(RetryPause, stopping).ConfigureAwait(false);
                        break;
                    default:
                        // Lost between the check and the send; the next round waits for the connection.
                        await Task.Delay(RetryPause, stopping).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            OutboxLog.DeliveryStopped(_logger, _outbox.Counters.Pending);
        }
    }

    private ValueTask<PublishOutcome> SendAsync(OutboxRecord record, CancellationToken stopping)
    {
        // A retained count is the current value, not stale data: it keeps no expiry, or the broker would drop it.
        var expiry = record.Retain ? 0 : _outbox.RemainingLifetimeSeconds(record);
        return _connection.SendAsync(record.Topic, record.Payload, MqttQualityOfServiceLevel.AtLeastOnce, record.Retain, expiry, stopping);
    }

    private async Task WaitUntilOnlineAsync(CancellationToken stopping)
    {
        while (!_connection.IsConnected)
        {
            _outbox.ExpireOld();
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            tick.CancelAfter(ExpiryCheck);
            try
            {
                await _connection.WaitUntilOnlineAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                continue;
            }

            // Online is signalled before the client notices a loss; do not spin on a stale signal.
            if (!_connection.IsConnected)
            {
                await Task.Delay(RetryPause, stopping).ConfigureAwait(false);
            }
        }
    }
}
