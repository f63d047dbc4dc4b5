using System.Globalization;
using System.Text;
using EdgeVision.EdgeAgent.Bench;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Tests.Faults;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Pipeline;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace EdgeVision.Tests.Outbox;

/// <summary>
/// Several QoS 1 publishes in flight over a slow link: a real mosquitto behind a <see cref="DelayingProxy"/> that holds
/// every byte 100 ms each way, and an independent subscriber attached to the broker directly.
/// </summary>
public sealed class OutboxWindowTests : IDisposable
{
    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly RecordingLoggerFactory _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Delivery_SlowLink_KeepsSeveralPublishesInFlightAndNeverMoreThanMaxInFlight()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = DelayingProxy.Start("127.0.0.1", broker.Port, OneWay);
        await using var publisher = await StartPublisherAsync(proxy, "dev-window", 120, maxInFlight: 8);

        await WaitUntilDrainedAsync(publisher);

        var counters = publisher.OutboxCounters;
        Assert.InRange(counters.MaxInFlightSeen, 2, 8);
        Assert.Equal((120L, 0L, 0L), (counters.Delivered, counters.InFlight, counters.Rejected));
    }

    [Fact]
    public async Task Delivery_SlowLink_EveryMessageArrivesOnceAndInOrderAtAnIndependentSubscriber()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/dev-order16/#", "-q", "1");
        await using var proxy = DelayingProxy.Start("127.0.0.1", broker.Port, OneWay);
        await using var publisher = await StartPublisherAsync(proxy, "dev-order16", 200);

        await WaitUntilDrainedAsync(publisher);
        await subscriber.WaitForAsync(Events("dev-order16"), "m200").WaitAsync(Bound);

        // No failure, so nothing was sent twice: exactly m1..m200 in this order.
        Assert.Equal(Numbered(200), subscriber.Messages.Where(m => m.Topic == Events("dev-order16")).Select(m => m.Payload));
        Assert.True(publisher.OutboxCounters.MaxInFlightSeen > 1, $"max in flight: {publisher.OutboxCounters.MaxInFlightSeen}");
    }

    [Fact]
    public async Task Delivery_BrokerKilledWithAWindowInFlight_NothingMissingAndOrderKeptAfterDeDuplication()
    {
        await using var broker = await MosquittoBroker.StartAsync(persistent: true);
        var device = FaultRun.NewDevice();
        await using var subscriber = await FaultRun.PersistentSubscriberAsync(broker, device);
        await using var proxy = DelayingProxy.Start("127.0.0.1", broker.Port, OneWay);
        await using var publisher = await StartPublisherAsync(proxy, device, 400);
        var topic = Events(device);

        await TestVideos.WaitUntilAsync(() => publisher.Outbox.Counters.Delivered >= 50 && publisher.OutboxCounters.InFlight >= 2, "a window in flight after 50 deliveries", Bound);
        broker.KillHard();
        var deliveredBeforeKill = publisher.Outbox.Counters.Delivered;
        await broker.RestartAsync();
        await WaitUntilDrainedAsync(publisher);
        await subscriber.WaitForAsync(topic, "m400").WaitAsync(Bound);

        // At least once: duplicates allowed; de-duplicated by payload, m1..m400 in order of first arrival.
        var firstArrivals = subscriber.Messages.Where(m => m.Topic == topic).Select(m => m.Payload).Distinct();
        Assert.Equal(Numbered(400), firstArrivals);
        Assert.True(deliveredBeforeKill < 400, "everything was delivered before the kill: the kill hit no window");
        Assert.True(publisher.Counters.Reconnects >= 1, $"reconnects: {publisher.Counters.Reconnects}");
        Assert.Equal((400L, 0L), (publisher.Outbox.Counters.Delivered, publisher.Outbox.Counters.Rejected));
    }

    [Fact]
    public async Task Delivery_MaxInFlightOne_WaitsForEachPubackAndKeepsOrder()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/dev-one/#", "-q", "1");
        await using var proxy = DelayingProxy.Start("127.0.0.1", broker.Port, OneWay);
        await using var publisher = await StartPublisherAsync(proxy, "dev-one", 20, maxInFlight: 1);

        await WaitUntilDrainedAsync(publisher);
        await subscriber.WaitForAsync(Events("dev-one"), "m20").WaitAsync(Bound);

        Assert.Equal(Numbered(20), subscriber.Messages.Where(m => m.Topic == Events("dev-one")).Select(m => m.Payload));
        Assert.Equal((1L, 20L), (publisher.OutboxCounters.MaxInFlightSeen, publisher.OutboxCounters.Delivered));
    }

    [Fact]
    public async Task Delivery_BrokerReceiveMaximumBelowMaxInFlight_StaysUnderItAndNothingIsRefused()
    {
        // mosquitto announces its max_inflight_messages as the MQTT 5 Receive Maximum in CONNACK.
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: "max_inflight_messages 6\n");
        await using var proxy = DelayingProxy.Start("127.0.0.1", broker.Port, OneWay);
        await using var publisher = await StartPublisherAsync(proxy, "dev-recvmax", 60);

        await WaitUntilDrainedAsync(publisher);

        // Three of the six stay free for the agent's other QoS 1 messages (status, camera states, snapshots).
        Assert.Equal(6, publisher.Connection.ReceiveMaximum);
        Assert.InRange(publisher.OutboxCounters.MaxInFlightSeen, 2, 3);
        Assert.Equal((60L, 0L), (publisher.Outbox.Counters.Delivered, publisher.Outbox.Counters.Rejected));
    }

    [Theory]
    [InlineData(MqttClientPublishReasonCode.QuotaExceeded, true)]
    [InlineData(MqttClientPublishReasonCode.PacketIdentifierInUse, true)]
    [InlineData(MqttClientPublishReasonCode.NotAuthorized, false)]
    [InlineData(MqttClientPublishReasonCode.TopicNameInvalid, false)]
    [InlineData(MqttClientPublishReasonCode.PayloadFormatInvalid, false)]
    [InlineData(MqttClientPublishReasonCode.UnspecifiedError, false)]
    public void IsRetryable_NotNowCodesOnly(MqttClientPublishReasonCode code, bool retryable) =>
        Assert.Equal(retryable, MqttConnection.IsRetryable(code));

    private static IEnumerable<string> Numbered(int count) => Enumerable.Range(1, count).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture));

    private static string Events(string device) => $"edgevision/{device}/cam/events";

    /// <summary>A publisher connected through <paramref name="proxy"/> that starts with m1..m<paramref name="messages"/> waiting in its outbox.</summary>
    private async Task<MqttPublisher> StartPublisherAsync(DelayingProxy proxy, string device, int messages, int maxInFlight = 16)
    {
        var options = MqttTestSupport.OptionsFor(proxy.Port, device);
        options.Outbox.MaxInFlight = maxInFlight;
        var publisher = new MqttPublisher(Options.Create(options), _logs);
        foreach (var payload in Numbered(messages))
        {
            publisher.Outbox.Append(Events(device), Encoding.UTF8.GetBytes(payload), retain: false);
        }

        await publisher.StartAsync(CancellationToken.None);
        return publisher;
    }

    private static Task WaitUntilDrainedAsync(MqttPublisher publisher) =>
        TestVideos.WaitUntilAsync(() => publisher.Outbox.Counters.Pending == 0, "an empty outbox", Bound);
}
