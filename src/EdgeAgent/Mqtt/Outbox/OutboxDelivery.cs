using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>
/// Drains the <see cref="DurableOutbox"/> into the broker in the background, oldest first, with up to
/// <see cref="OutboxOptions.MaxInFlight"/> QoS 1 publishes waiting for their PUBACKs at once (fewer when the broker's
/// Receive Maximum says so), so a link with a long round trip still carries many messages per second. The publishes
/// go out in the outbox's order on the one connection, and MQTT keeps that order, so each camera's messages arrive in
/// the order they were accepted. A message leaves the outbox only on its PUBACK and only after every older one has
/// left: the ack cursor never passes a message the broker has not acknowledged. When a publish fails, the ones after
/// it are not used either; once those in flight have ended, everything from the oldest waiting message is sent again
/// (subscribers de-duplicate). It also watches for a stalled connection: connected, messages in flight, and no
/// publish completing for <see cref="MqttOptions.PublishStallTimeout"/> — then it asks the connection to reconnect.
/// </summary>
internal sealed class OutboxDelivery : IAsyncDisposable
{
    /// <summary>How often expired messages are dropped while the broker is away, and how often the watchdog looks.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>Pause after a failed publish before the next try (the connection may be going down).</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Room left under the broker's Receive Maximum for the QoS 1 publishes beside the outbox's, one at a time from
    /// each of their senders (the agent's status, the cameras' states, a snapshot). MQTT 5 forbids a client to go past
    /// the maximum; a broker may answer with "quota exceeded" or drop the connection (mosquitto 2.0 does neither for
    /// QoS 1, measured, but others enforce it).
    /// </summary>
    private const int ReservedForOthers = 3;

    /// <summary>Records read from the outbox per call while filling the window.</summary>
    private const int ReadBatch = 64;

    private readonly DurableOutbox _outbox;
    private readonly MqttConnection _connection;
    private readonly int _maxInFlight;
    private readonly TimeSpan _publishTimeout;
    private readonly TimeSpan _stallTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<SentRecord> _window = new();
    private readonly OutboxRecord[] _batch;
    private Task? _loop;
    private int _inFlight;
    private int _maxInFlightSeen;

    // The loop's own state (one loop per instance).
    private long _sentThrough;
    private bool _broken;
    private long _lastProgress;

    public OutboxDelivery(DurableOutbox outbox, MqttConnection connection, MqttOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _maxInFlight = options.Outbox.MaxInFlight;
        _publishTimeout = options.PublishTimeout;
        _stallTimeout = options.PublishStallTimeout;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _batch = new OutboxRecord[Math.Min(_maxInFlight, ReadBatch)];
    }

    /// <summary>Publishes of outbox messages sent and not yet ended (PUBACK, failure reason code or lost connection).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most publishes that were in flight at once since the start: at most <see cref="OutboxOptions.MaxInFlight"/>.</summary>
    public int MaxInFlightSeen => Volatile.Read(ref _maxInFlightSeen);

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

    /// <summary>
    /// Sends nothing more and gives the publishes in flight up to <see cref="MqttOptions.PublishTimeout"/> to end (those
    /// acknowledged leave the outbox, in order); what is still waiting stays in the outbox for the next run.
    /// </summary>
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
        _lastProgress = Stopwatch.GetTimestamp();
        var tick = Task.Delay(Tick, stopping);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                SettleFinished();
                if (_window.Count == 0 && (_broken || !_connection.IsConnected))
                {
                    await RestartAsync(stopping).ConfigureAwait(false);
                    continue;
                }

                if (!_broken && _connection.IsConnected)
                {
                    Fill();
                }

                if (_window.Count == 0)
                {
                    // Nothing in flight, so nothing can stall: wait for the next message.
                    await _outbox.WaitForWaitingAfterAsync(_sentThrough, stopping).ConfigureAwait(false);
                    continue;
                }

                if (tick.IsCompleted)
                {
                    tick = Task.Delay(Tick, stopping);
                }

                // The oldest publish ending, a new message while there is room, or the watchdog's tick.
                var more = !_broken && _connection.IsConnected && _window.Count < WindowLimit()
                    ? _outbox.WaitForWaitingAfterAsync(_sentThrough, CancellationToken.None)
                    : tick;
                await Task.WhenAny(_window.Peek().Outcome, more, tick).ConfigureAwait(false);
                WatchForStall();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await FinishInFlightAsync().ConfigureAwait(false);
            OutboxLog.DeliveryStopped(_logger, _outbox.Counters.Pending);
        }
    }

    /// <summary>How many publishes may be in flight on the current connection.</summary>
    private int WindowLimit()
    {
        var broker = _connection.ReceiveMaximum;
        return Math.Min(_maxInFlight, broker > ReservedForOthers ? broker - ReservedForOthers : 1);
    }

    /// <summary>Sends the messages after the last one sent, oldest first, until the window is full.</summary>
    private void Fill()
    {
        var limit = WindowLimit();
        while (_window.Count < limit)
        {
            var count = _outbox.CopyWaitingAfter(_sentThrough, _batch.AsSpan(0, Math.Min(_batch.Length, limit - _window.Count)));
            if (count == 0)
            {
                return;
            }

            if (_window.Count == 0)
            {
                // The stall clock runs only while something is in flight.
                _lastProgress = Stopwatch.GetTimestamp();
            }

            for (var i = 0; i < count; i++)
            {
                var record = _batch[i];
                _batch[i] = null!;
                _window.Enqueue(new SentRecord(record, PublishAsync(record)));
                _sentThrough = record.Id;
            }
        }
    }

    /// <summary>
    /// Takes the ended publishes off the front of the window, oldest first, and ends their messages' wait in the same
    /// order. After a failure the outcomes behind it are not used: those messages are sent again with it.
    /// </summary>
    private void SettleFinished()
    {
        while (_window.TryPeek(out var head) && head.Outcome.IsCompleted)
        {
            _window.Dequeue();
            if (_broken)
            {
                continue;
            }

            switch (head.Outcome.Result)
            {
                case PublishOutcome.Published:
                    _outbox.Complete(head.Record, delivered: true);
                    _lastProgress = Stopwatch.GetTimestamp();
                    break;
                case PublishOutcome.Rejected:
                    OutboxLog.Rejected(_logger, head.Record.Topic, "failure reason code");
                    _outbox.Complete(head.Record, delivered: false);
                    _lastProgress = Stopwatch.GetTimestamp();
                    break;
                default:
                    _broken = true;
                    break;
            }
        }
    }

    /// <summary>After a failure or a lost connection, with nothing left in flight: start again from the oldest waiting message.</summary>
    private async Task RestartAsync(CancellationToken stopping)
    {
        if (_broken)
        {
            _broken = false;
            await Task.Delay(RetryPause, stopping).ConfigureAwait(false);
        }

        if (!_connection.IsConnected)
        {
            await WaitUntilOnlineAsync(stopping).ConfigureAwait(false);
            _lastProgress = Stopwatch.GetTimestamp();
        }

        _sentThrough = 0;
    }

    private void WatchForStall()
    {
        var stalled = Stopwatch.GetElapsedTime(_lastProgress);
        if (_window.Count == 0 || stalled < _stallTimeout)
        {
            return;
        }

        if (_connection.IsConnected)
        {
            OutboxLog.Stalled(_logger, stalled, _outbox.Counters.Pending);
            _connection.RequestReconnect($"no publish completed for {stalled:g}");
        }
        else
        {
            // The lost connection ends its publishes; one that never ends must not hold delivery up for good.
            _window.Clear();
            _broken = true;
        }

        _lastProgress = Stopwatch.GetTimestamp();
    }

    /// <summary>On stop: lets the publishes in flight end within the publish timeout, so what the broker took leaves the outbox.</summary>
    private async Task FinishInFlightAsync()
    {
        var bound = Task.Delay(_publishTimeout);
        while (!_broken && _window.TryPeek(out var head))
        {
            if (await Task.WhenAny(head.Outcome, bound).ConfigureAwait(false) != head.Outcome)
            {
                return;
            }

            SettleFinished();
        }
    }

    private async Task<PublishOutcome> PublishAsync(OutboxRecord record)
    {
        // A retained count is the current value, not stale data: it keeps no expiry, or the broker would drop it.
        var expiry = record.Retain ? 0 : _outbox.RemainingLifetimeSeconds(record);
        var inFlight = Interlocked.Increment(ref _inFlight);
        var seen = Volatile.Read(ref _maxInFlightSeen);
        while (inFlight > seen && Interlocked.CompareExchange(ref _maxInFlightSeen, inFlight, seen) != seen)
        {
            seen = Volatile.Read(ref _maxInFlightSeen);
        }

        try
        {
            return await _connection.StartPublish(record.Topic, record.Payload, record.Retain, expiry).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task WaitUntilOnlineAsync(CancellationToken stopping)
    {
        while (!_connection.IsConnected)
        {
            _outbox.ExpireOld();
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            tick.CancelAfter(Tick);
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

    /// <summary>One message sent and the publish that carries it.</summary>
    private readonly record struct SentRecord(OutboxRecord Record, Task<PublishOutcome> Outcome);
}
