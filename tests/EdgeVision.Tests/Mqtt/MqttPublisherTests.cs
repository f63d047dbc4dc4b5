using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;

namespace EdgeVision.Tests.Mqtt;

/// <summary>The publisher against a real mosquitto, observed by an independent mosquitto_sub.</summary>
public sealed class MqttPublisherTests : IDisposable
{
    private readonly RecordingLoggerFactory _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task StartAsync_BrokerRunning_StatusIsRetainedOnline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var publisher = await StartOnlineAsync(MqttTestSupport.OptionsFor(broker.Port, "dev-online"));

        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port);
        var status = await subscriber.WaitForTopicAsync("edgevision/dev-online/status");

        Assert.Equal(new ReceivedMessage(Retained: true, "edgevision/dev-online/status", "online"), status);
    }

    [Fact]
    public async Task PublishAsync_Connected_SubscriberReceivesExactDetectionJson()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port);
        await using var publisher = await StartOnlineAsync(MqttTestSupport.OptionsFor(broker.Port, "dev-detect"));

        await publisher.PublishAsync(MqttTestSupport.Frame("cam1"), CancellationToken.None);
        var message = await subscriber.WaitForTopicAsync("edgevision/dev-detect/cam1/detections");

        Assert.Equal(new ReceivedMessage(Retained: false, "edgevision/dev-detect/cam1/detections", MqttTestSupport.FrameJson("dev-detect")), message);
        Assert.Equal(new MqttPublisherCounters(Published: 2, Failed: 0, Dropped: 0, Reconnects: 0, Connected: true), publisher.Counters);
    }

    [Fact]
    public async Task StopAsync_Connected_StatusIsRetainedStoppedAndWillIsDiscarded()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var publisher = await StartOnlineAsync(MqttTestSupport.OptionsFor(broker.Port, "dev-stop"));

        await publisher.StopAsync(CancellationToken.None);
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port);
        var status = await subscriber.WaitForTopicAsync("edgevision/dev-stop/status");

        // Had the broker published the will, the retained status would read "offline".
        Assert.Equal(new ReceivedMessage(Retained: true, "edgevision/dev-stop/status", "stopped"), status);
        Assert.Equal(new MqttPublisherCounters(Published: 2, Failed: 0, Dropped: 0, Reconnects: 0, Connected: false), publisher.Counters);
    }

    [Fact]
    public async Task ProbeProcess_Killed_BrokerPublishesRetainedWillOffline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var live = await MosquittoSubscriber.StartAsync(broker.Port);
        using var probe = MqttTestSupport.StartProbe(broker.Port, "dev-will");
        try
        {
            await live.WaitForAsync("edgevision/dev-will/status", "online");

            probe.Kill(entireProcessTree: true);
            await probe.WaitForExitAsync();
            var will = await live.WaitForAsync("edgevision/dev-will/status", "offline");
            await using var late = await MosquittoSubscriber.StartAsync(broker.Port);
            var retained = await late.WaitForTopicAsync("edgevision/dev-will/status");

            Assert.Equal(
                (new ReceivedMessage(Retained: false, "edgevision/dev-will/status", "offline"), new ReceivedMessage(Retained: true, "edgevision/dev-will/status", "offline")),
                (will, retained));
        }
        finally
        {
            if (!probe.HasExited)
            {
                probe.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task StartAsync_NoBrokerYet_DropsWhileAwayThenConnectsAndPublishes()
    {
        var port = MosquittoBroker.FreePort();
        await using var publisher = new MqttPublisher(Options.Create(MqttTestSupport.OptionsFor(port, "dev-late")), _logs);
        await publisher.StartAsync(CancellationToken.None);
        await publisher.PublishAsync(MqttTestSupport.Frame(sequence: 1), CancellationToken.None);
        var whileAway = publisher.Counters;
        await _logs.WaitForEntriesAsync(e => e.Level == LogLevel.Warning && e.Message.StartsWith($"MQTT broker 127.0.0.1:{port} not reachable", StringComparison.Ordinal), count: 2);

        await using var broker = await MosquittoBroker.StartAsync(port);
        await using var subscriber = await MosquittoSubscriber.StartAsync(port);
        using (var bound = new CancellationTokenSource(MosquittoSubscriber.WaitBound))
        {
            await publisher.WaitUntilOnlineAsync(bound.Token);
        }

        await publisher.PublishAsync(MqttTestSupport.Frame(sequence: 2), CancellationToken.None);
        var message = await subscriber.WaitForTopicAsync("edgevision/dev-late/cam1/detections");

        Assert.Equal(new MqttPublisherCounters(Published: 0, Failed: 0, Dropped: 1, Reconnects: 0, Connected: false), whileAway);
        Assert.Equal(MqttTestSupport.FrameJson("dev-late", sequence: 2), message.Payload);
    }

    [Fact]
    public async Task BrokerRestarted_Connected_ReconnectsOnceAndPublishesOnlineAgain()
    {
        var port = MosquittoBroker.FreePort();
        var first = await MosquittoBroker.StartAsync(port);
        await using var publisher = await StartOnlineAsync(MqttTestSupport.OptionsFor(port, "dev-restart"));

        await first.DisposeAsync();
        await using var second = await MosquittoBroker.StartAsync(port);
        await using var subscriber = await MosquittoSubscriber.StartAsync(port);
        var status = await subscriber.WaitForAsync("edgevision/dev-restart/status", "online");

        Assert.Equal((1L, 0L), (publisher.Counters.Reconnects, publisher.Counters.Failed));
        Assert.Contains(_logs.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"MQTT connection to 127.0.0.1:{port} lost", StringComparison.Ordinal));
        Assert.Equal("online", status.Payload);
    }

    [Fact]
    public async Task TwoClientsWithOneClientId_TakingOverEachOther_BackOffInsteadOfReconnectingAtOnce()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var options = MqttTestSupport.OptionsFor(broker.Port, "dev-twin");
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(2);
        var topics = new MqttTopics(options.TopicPrefix, options.DeviceId);

        // A misconfiguration seen in the field: two devices given the same id. The broker drops the older connection
        // whenever the other connects [MQTT-3.1.4-3].
        await using var first = new MqttConnection(options, topics, _logs.CreateLogger<MqttConnection>());
        await using var second = new MqttConnection(options, topics, _logs.CreateLogger<MqttConnection>());
        first.Start();
        second.Start();
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith($"MQTT connection to 127.0.0.1:{broker.Port} lasted only ", StringComparison.Ordinal), count: 4);

        // The delays the backoff chose ("reconnecting in …", the log line's last word), not times measured on this
        // machine: from 0.8 × the 100 ms first delay to 1.2 × the 2 s cap, the policy's jitter range.
        var waits = _logs.Logger.Entries
            .Where(e => e.Message.Contains(" lasted only ", StringComparison.Ordinal))
            .Select(e => TimeSpan.Parse(e.Message[(e.Message.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(2400)));
        Assert.True(waits.Max() >= TimeSpan.FromMilliseconds(160), $"backoff never grew: {string.Join(", ", waits)}");
    }

    [Fact]
    public async Task SendAsync_BrokerDeniesTopic_CountsFailureWithReasonCode()
    {
        var acl = new Dictionary<string, string> { ["acl"] = "topic readwrite edgevision/#\n" };
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: "acl_file {dir}/acl\n", files: acl);
        await using var publisher = await StartOnlineAsync(MqttTestSupport.OptionsFor(broker.Port, "dev-acl"));

        var outcome = await publisher.Connection.SendAsync("elsewhere/x", "x"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, CancellationToken.None);

        Assert.Equal((PublishOutcome.Rejected, 1L, 1L), (outcome, publisher.Counters.Failed, publisher.Counters.Published));
        Assert.Contains((LogLevel.Warning, "MQTT publish to elsewhere/x failed: reason code NotAuthorized"), _logs.Logger.Entries);
    }

    private Task<MqttPublisher> StartOnlineAsync(MqttOptions options) => MqttTestSupport.StartOnlineAsync(options, _logs);
}
