using System.Text.Json;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.Tests.Mqtt;

public sealed class MqttHostingTests
{
    [Fact]
    public async Task StartAsync_SeveralBadKeys_FailsBeforeConnectingNamingEveryKey()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = "0",
            ["Mqtt:TopicPrefix"] = "a/b",
            ["Mqtt:DeviceId"] = "dev#",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Equal(
            [
                "Mqtt:Port must be from 1 to 65535, got 0",
                "Mqtt:TopicPrefix 'a/b' contains '/', which would split it into several topic levels",
                "Mqtt:DeviceId 'dev#' contains the MQTT wildcard '#'",
            ],
            error.Failures);
    }

    [Fact]
    public async Task StartAsync_ConfiguredForMosquitto_PublishesOnlineAndStatsThenStopsCleanly()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port);
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:DeviceId"] = "dev-host",
            ["Mqtt:StatsInterval"] = "00:00:00.200",
        });

        await host.StartAsync(CancellationToken.None);
        await subscriber.WaitForAsync("edgevision/dev-host/status", "online");
        var stats = await subscriber.WaitForTopicAsync("edgevision/dev-host/stats");
        await host.StopAsync(CancellationToken.None);
        await subscriber.WaitForAsync("edgevision/dev-host/status", "stopped");

        using var json = JsonDocument.Parse(stats.Payload);
        var root = json.RootElement;
        Assert.Equal(
            ("edgevision.stats", 1, "dev-host", "cpu", 321L, true),
            (root.GetProperty("schema").GetString(), root.GetProperty("version").GetInt32(), root.GetProperty("device").GetString(),
             root.GetProperty("execution_provider").GetString(), root.GetProperty("detections_by_label").GetProperty("person").GetInt64(),
             root.GetProperty("publisher").GetProperty("connected").GetBoolean()));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection([new("Mqtt:Outbox:Directory", Path.Combine(MqttTestSupport.OutboxRoot, Guid.NewGuid().ToString("N")))]);
        builder.Logging.ClearProviders();

        // The pipeline is built elsewhere; a fixed snapshot stands in for its statistics.
        builder.Services.AddSingleton<IPipelineStatistics, FixedStatistics>();
        builder.AddMqttPublishing();
        return builder.Build();
    }

    private sealed class FixedStatistics : IPipelineStatistics
    {
        public PipelineSnapshot Snapshot() => StatsMessageTests.Snapshot();
    }
}
