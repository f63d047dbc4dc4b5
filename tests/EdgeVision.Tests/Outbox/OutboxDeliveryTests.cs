using System.Globalization;
using System.Text;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.Tests.Outbox;

/// <summary>The publisher's outbox delivery against a real mosquitto, watched by an independent mosquitto_sub.</summary>
public sealed class OutboxDeliveryTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly RecordingLoggerFactory _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task StartAsync_MessagesAcceptedBeforeConnecting_ArriveInOrderWithExpiryAndLeaveTheOutbox()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // %E: the MQTT 5 message expiry as the broker forwards it.
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/dev-order/#", "-q", "1", "-F", "MSG %r %t %E|%p");
        await using var publisher = new MqttPublisher(Options.Create(MqttTestSupport.OptionsFor(broker.Port, "dev-order")), _logs);
        for (var i = 1; i <= 20; i++)
        {
            publisher.Outbox.Append($"edgevision/dev-order/{(i % 2 == 0 ? "a" : "b")}/events", Encoding.UTF8.GetBytes($"e{i}"), retain: false);
        }

        publisher.Outbox.Append("edgevision/dev-order/a/path/person", "4"u8, retain: true);
        Assert.Equal(21L, publisher.Outbox.Counters.Pending);

        await publisher.StartAsync(CancellationToken.None);
        await subscriber.WaitForAsync(m => m.Topic == "edgevision/dev-order/a/path/person").WaitAsync(Bound);
        await WaitUntilAsync(() => publisher.Outbox.Counters.Pending == 0);

        var events = subscriber.Messages.Where(m => m.Topic.EndsWith("/events", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"e{i}"), events.Select(m => m.Payload.Split('|')[1]));
        // The expiry is what is left of the default 24 h bound: a day less the few seconds the test took.
        Assert.All(events, m => Assert.InRange(uint.Parse(m.Payload.Split('|')[0], CultureInfo.InvariantCulture), 86_400u - 120, 86_400u));
        var count = subscriber.Messages.Single(m => m.Topic == "edgevision/dev-order/a/path/person");
        Assert.Equal("|4", count.Payload);
        Assert.Equal((21L, 0L, 0L), (publisher.Outbox.Counters.Delivered, publisher.Outbox.Counters.DroppedFull, publisher.Outbox.Counters.Rejected));
        Assert.Contains("as edgevision-dev-order (p5, c0, k5)", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_BrokerFrozenWithSocketOpen_WatchdogReconnectsAndEveryMessageArrives()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/dev-stall/#", "-q", "1");
        var options = MqttTestSupport.OptionsFor(broker.Port, "dev-stall");

        // Keep alive long and the client's own response timeout (ConnectTimeout) past the publish timeout: only the
        // watchdog can notice that the frozen broker never answers.
        options.KeepAlive = TimeSpan.FromMinutes(5);
        options.PublishTimeout = TimeSpan.FromSeconds(1);
        options.PublishStallTimeout = TimeSpan.FromSeconds(3);
        options.ConnectTimeout = TimeSpan.FromSeconds(10);
        await using var publisher = new MqttPublisher(Options.Create(options), _logs);
        await publisher.StartAsync(CancellationToken.None);
        using (var bound = new CancellationTokenSource(Bound))
        {
            await publisher.WaitUntilOnlineAsync(bound.Token);
        }

        broker.Freeze();
        try
        {
            for (var i = 1; i <= 5; i++)
            {
                publisher.Outbox.Append("edgevision/dev-stall/cam/events", Encoding.UTF8.GetBytes($"e{i}"), retain: false);
            }

            await _logs.WaitForEntriesAsync(e => e.Level == LogLevel.Warning && e.Message.StartsWith("MQTT publishes stalled: none completed for", StringComparison.Ordinal), count: 1);
        }
        finally
        {
            broker.Thaw();
        }

        await WaitUntilAsync(() => publisher.Outbox.Counters.Pending == 0);
        await subscriber.WaitForAsync(m => m.Payload == "e5").WaitAsync(Bound);

        // A message the frozen broker read before the reconnect may come twice; each arrives, in order of first arrival.
        var firsts = subscriber.Messages.Where(m => m.Topic == "edgevision/dev-stall/cam/events").Select(m => m.Payload).Distinct();
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], firsts);
        Assert.True(publisher.Counters.Reconnects >= 1, $"reconnects: {publisher.Counters.Reconnects}");
        Assert.Equal(5L, publisher.Outbox.Counters.Delivered);
    }

    [Fact]
    public async Task Delivery_BrokerRefusesTopic_CountsRejectionAndDeliversTheNextMessage()
    {
        var acl = new Dictionary<string, string> { ["acl"] = "topic readwrite edgevision/dev-acl/allowed/#\n" };
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: "acl_file {dir}/acl\n", files: acl);
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/#", "-q", "1");
        await using var publisher = new MqttPublisher(Options.Create(MqttTestSupport.OptionsFor(broker.Port, "dev-acl")), _logs);
        publisher.Outbox.Append("edgevision/dev-acl/denied/events", "no"u8, retain: false);
        publisher.Outbox.Append("edgevision/dev-acl/allowed/events", "yes"u8, retain: false);

        await publisher.StartAsync(CancellationToken.None);
        await subscriber.WaitForAsync("edgevision/dev-acl/allowed/events", "yes").WaitAsync(Bound);
        await WaitUntilAsync(() => publisher.Outbox.Counters.Pending == 0);

        Assert.Equal((1L, 1L), (publisher.Outbox.Counters.Rejected, publisher.Outbox.Counters.Delivered));
        Assert.Contains((LogLevel.Warning, "Outbox: the broker refused the message to edgevision/dev-acl/denied/events (failure reason code); it is not sent again"), _logs.Logger.Entries);
    }

    /// <summary>Polls a condition; the bound only keeps a broken case from hanging.</summary>
    private async Task WaitUntilAsync(Func<bool> condition)
    {
        var bound = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (bound.Elapsed > Bound)
            {
                throw new TimeoutException("condition not reached: " + string.Join(" | ", _logs.Logger.Entries.Select(e => e.Message)));
            }

            await Task.Delay(50);
        }
    }
}
