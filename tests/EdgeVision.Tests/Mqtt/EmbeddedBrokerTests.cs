using System.Net;
using System.Net.Sockets;
using EdgeVision.EdgeAgent;
using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.Tests.Mqtt;

public sealed class EmbeddedBrokerTests : IDisposable
{
    private readonly RecordingLoggerFactory _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task StartAsync_NoHostConfigured_PublisherReachesMosquittoSubThroughIt()
    {
        var port = MosquittoBroker.FreePort();
        var options = Options.Create(EmbeddedOptions(port, "dev-embedded"));
        await using var broker = new EmbeddedBroker(options, _logs.CreateLogger<EmbeddedBroker>());
        await broker.StartAsync(CancellationToken.None);
        await using var publisher = new MqttPublisher(options, _logs);
        await publisher.StartAsync(CancellationToken.None);
        using (var bound = new CancellationTokenSource(MosquittoSubscriber.WaitBound))
        {
            await publisher.WaitUntilOnlineAsync(bound.Token);
        }

        await using var subscriber = await MosquittoSubscriber.StartAsync(port);
        var status = await subscriber.WaitForTopicAsync("edgevision/dev-embedded/status");
        await publisher.PublishAsync(MqttTestSupport.Frame(), CancellationToken.None);
        var detections = await subscriber.WaitForTopicAsync("edgevision/dev-embedded/cam1/detections");

        Assert.Equal(new ReceivedMessage(Retained: true, "edgevision/dev-embedded/status", "online"), status);
        Assert.Equal(MqttTestSupport.FrameJson("dev-embedded"), detections.Payload);
        Assert.Contains(
            (LogLevel.Information, $"Embedded MQTT broker listening on 127.0.0.1:{port}; watch with: mosquitto_sub -h 127.0.0.1 -p {port} -v -t 'edgevision/#'"),
            _logs.Logger.Entries);
    }

    [Fact]
    public async Task StartAsync_BeyondLoopbackWithoutCredentials_RefusesWithExitCodeTwo()
    {
        var options = new MqttOptions { Embedded = { Port = MosquittoBroker.FreePort(), BindAddress = "0.0.0.0" } };
        await using var broker = new EmbeddedBroker(Options.Create(options), _logs.CreateLogger<EmbeddedBroker>());

        var error = await Assert.ThrowsAsync<UserFacingException>(() => broker.StartAsync(CancellationToken.None));

        Assert.Equal(
            (2, "Mqtt:Embedded:BindAddress 0.0.0.0 is not a loopback address; the embedded broker listens beyond this machine only when a user name and a password are set (Mqtt:Username/Password, their files or systemd credentials; clients must then present them)", false),
            (error.ExitCode, error.Message, broker.IsRunning));
    }

    [Fact]
    public async Task StartAsync_PortTaken_ThrowsNamingAddressAndPort()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var broker = new EmbeddedBroker(Options.Create(EmbeddedOptions(port, "dev-taken")), _logs.CreateLogger<EmbeddedBroker>());

        var error = await Assert.ThrowsAsync<UserFacingException>(() => broker.StartAsync(CancellationToken.None));

        Assert.StartsWith($"embedded MQTT broker cannot listen on 127.0.0.1:{port}: Address already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ExternalHostConfigured_DoesNotListen()
    {
        var port = MosquittoBroker.FreePort();
        var options = EmbeddedOptions(port, "dev-external");
        options.Host = "broker.example";
        await using var broker = new EmbeddedBroker(Options.Create(options), _logs.CreateLogger<EmbeddedBroker>());

        await broker.StartAsync(CancellationToken.None);

        using var probe = new TcpListener(IPAddress.Loopback, port);
        probe.Start();
        Assert.False(broker.IsRunning);
    }

    [Fact]
    public async Task StartAsync_CredentialsConfigured_RefusesWrongPasswordWithoutLoggingIt()
    {
        var port = MosquittoBroker.FreePort();
        var brokerOptions = EmbeddedOptions(port, "dev-auth");
        brokerOptions.Username = "agent";
        brokerOptions.Password = "right-Pa55";
        await using var broker = new EmbeddedBroker(Options.Create(brokerOptions), _logs.CreateLogger<EmbeddedBroker>());
        await broker.StartAsync(CancellationToken.None);
        var clientOptions = EmbeddedOptions(port, "dev-auth");
        clientOptions.Username = "agent";
        clientOptions.Password = "wrong-Pa55";
        await using var publisher = new MqttPublisher(Options.Create(clientOptions), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith($"MQTT broker 127.0.0.1:{port} refused the connection: BadUserNameOrPassword", StringComparison.Ordinal), count: 1);

        Assert.Contains((LogLevel.Warning, "Embedded MQTT broker refused client edgevision-dev-auth: wrong user name or password"), _logs.Logger.Entries);
        Assert.DoesNotContain(_logs.Logger.Entries, e => e.Message.Contains("Pa55", StringComparison.Ordinal));
        Assert.False(publisher.Counters.Connected);
    }

    [Fact]
    public async Task StartAsync_EmbeddedBroker_ReturnsConnectedSoTheFirstFrameIsNotDropped()
    {
        var port = MosquittoBroker.FreePort();
        var options = Options.Create(EmbeddedOptions(port, "dev-first"));
        await using var broker = new EmbeddedBroker(options, _logs.CreateLogger<EmbeddedBroker>());
        await broker.StartAsync(CancellationToken.None);
        await using var publisher = new MqttPublisher(options, _logs);

        await publisher.StartAsync(CancellationToken.None);
        var connectedAtStart = publisher.Counters.Connected;
        await publisher.PublishAsync(MqttTestSupport.Frame(), CancellationToken.None);

        Assert.True(connectedAtStart);
        Assert.Equal(0, publisher.Counters.Dropped);
    }

    [Fact]
    public async Task StartAsync_EmbeddedBrokerNotAnswering_GivesUpAfterConnectTimeoutAndStartsAnyway()
    {
        var options = EmbeddedOptions(MosquittoBroker.FreePort(), "dev-nobroker");
        options.ConnectTimeout = TimeSpan.FromSeconds(1);
        await using var publisher = new MqttPublisher(Options.Create(options), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await publisher.PublishAsync(MqttTestSupport.Frame(), CancellationToken.None);

        Assert.False(publisher.Counters.Connected);
        Assert.Equal(1, publisher.Counters.Dropped);
    }

    [Fact]
    public async Task StartAsync_ExternalBrokerAway_ReturnsWithoutWaitingForIt()
    {
        var options = EmbeddedOptions(MosquittoBroker.FreePort(), "dev-external");
        options.Host = "127.0.0.1";
        options.Port = options.Embedded.Port;
        await using var publisher = new MqttPublisher(Options.Create(options), _logs);

        var start = publisher.StartAsync(CancellationToken.None);

        Assert.True(start.IsCompletedSuccessfully);
        await start;
    }

    private static MqttOptions EmbeddedOptions(int port, string device) => new()
    {
        DeviceId = device,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        Embedded = { Port = port, BindAddress = "127.0.0.1" },
    };
}
