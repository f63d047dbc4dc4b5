using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.HomeAssistant;

/// <summary>
/// Home Assistant discovery from the real agent on the bundled clip, through a real mosquitto, read by a
/// subscriber standing in for Home Assistant: every message checked against <see cref="DiscoverySchema"/>, every
/// topic it names seen, the switch working, the birth message answered, entities deleted when the configuration
/// loses them, and availability right for a clean stop, a kill and an offline camera.
/// </summary>
public sealed partial class HomeAssistantDiscoveryTests : IDisposable
{
    private const string Prefix = "homeassistant";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _state = Directory.CreateTempSubdirectory("edgevision-ha-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex TopicLevel();

    private static readonly string[] ZoneAndLine =
    [
        "--EdgeVision:Cameras:0:Analytics:Zones:0:Name=path",
        "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:0=0", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:1=0",
        "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:1:0=1", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:1:1=0",
        "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:2:0=1", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:2:1=1",
        "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:3:0=0", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:3:1=1",
        "--EdgeVision:Cameras:0:Analytics:Lines:0:Name=gate",
        "--EdgeVision:Cameras:0:Analytics:Lines:0:A:0=0.3", "--EdgeVision:Cameras:0:Analytics:Lines:0:A:1=0.2",
        "--EdgeVision:Cameras:0:Analytics:Lines:0:B:0=0.3", "--EdgeVision:Cameras:0:Analytics:Lines:0:B:1=1",
    ];

    [Fact]
    public async Task Agent_DeviceDiscovery_ValidEveryNamedTopicPublishedSwitchWorksBirthAnsweredAndStoppedIsUnavailable()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = "ha-" + Guid.NewGuid().ToString("N")[..8];
        await using var seen = await MosquittoSubscriber.StartAsync(broker.Port, $"{Prefix}/#", "-t", $"edgevision/{device}/#");
        using var agent = Start(broker.Port, device, [.. ZoneAndLine, "--EdgeVision:Cameras:1:Name=back", "--EdgeVision:Cameras:1:Source=rtsp://127.0.0.1:1/none"]);

        // Three devices: the agent, the sample camera and the unreachable one; every message valid.
        var configs = await DeviceConfigsAsync(seen, device, ["", "_sample", "_back"]);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (topic, payload) in configs)
        {
            var problems = DiscoverySchema.Check(Prefix, topic, payload, ids);
            Assert.True(problems.Count == 0, string.Join('\n', problems));
        }

        var components = configs.Values.SelectMany(Components).ToList();
        Assert.Equal(ids.Count, components.Count);

        // Every topic an entity reads is published within 30 s (the unreachable camera has no snapshot, caption or motion to show),
        // and the ones Home Assistant needs at its own start are retained.
        var named = components.SelectMany(c => Topics(c, "state_topic", "image_topic")).Concat(components.SelectMany(AvailabilityTopics))
            .Where(t => !t.Contains("/back/", StringComparison.Ordinal) || !(t.EndsWith("/snapshot", StringComparison.Ordinal) || t.EndsWith("/captions", StringComparison.Ordinal) || t.EndsWith("/motion", StringComparison.Ordinal)))
            .ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (named.Any(t => seen.Messages.All(m => m.Topic != t)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        var missing = named.Where(t => seen.Messages.All(m => m.Topic != t)).ToList();
        Assert.True(missing.Count == 0, "never published: " + string.Join(", ", missing));
        await using (var late = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/#"))
        {
            var retained = named.Where(t => !t.EndsWith("/stats", StringComparison.Ordinal) && !t.EndsWith("/captions", StringComparison.Ordinal)).ToList();
            await HttpTestWait.UntilAsync(() => retained.All(t => late.Messages.Any(m => m.Topic == t && m.Retained)), () => "not retained: " + string.Join(", ", retained.Where(t => !late.Messages.Any(m => m.Topic == t && m.Retained))));
        }

        // Available: the agent and the sample camera are online; the unreachable camera's entities are not.
        Assert.All(components.Where(c => !Key(c).StartsWith("back_", StringComparison.Ordinal)), c => Assert.True(Available(c, seen), Key(c)));
        Assert.All(components.Where(c => Key(c).StartsWith("back_", StringComparison.Ordinal)), c => Assert.False(Available(c, seen), Key(c)));

        // The switch: its command topic pauses detection and its state topic says so.
        var detect = components.Single(c => Key(c) == "sample_detect");
        await MosquittoClients.PublishAsync(broker.Port, detect.GetProperty("command_topic").GetString()!, detect.GetProperty("payload_off").GetString()!);
        await seen.WaitForAsync(detect.GetProperty("state_topic").GetString()!, "OFF").WaitAsync(Bound);
        await MosquittoClients.PublishAsync(broker.Port, detect.GetProperty("command_topic").GetString()!, "ON");

        // Home Assistant's birth message brings the discovery again, and the cameras' states.
        var sampleTopic = $"{Prefix}/device/edgevision_{device}_sample/config";
        await Task.Delay(500);
        var before = seen.Messages.Count(m => m.Topic == sampleTopic);
        var statesBefore = seen.Messages.Count(m => m.Topic == $"edgevision/{device}/sample/motion");
        await MosquittoClients.PublishAsync(broker.Port, $"{Prefix}/status", "online");
        await seen.WaitForAsync(_ => seen.Messages.Count(m => m.Topic == sampleTopic) > before).WaitAsync(Bound);
        await seen.WaitForAsync(_ => seen.Messages.Count(m => m.Topic == $"edgevision/{device}/sample/motion") > statesBefore).WaitAsync(Bound);

        // Every level of every topic the agent published is a slug.
        var levels = seen.Messages.SelectMany(m => m.Topic.Split('/')).Distinct().Where(l => !TopicLevel().IsMatch(l)).ToList();
        Assert.True(levels.Count == 0, "topic levels outside [a-z0-9_-]: " + string.Join(", ", levels));

        // A clean stop publishes 'stopped': unavailable too.
        agent.Terminate();
        await seen.WaitForAsync($"edgevision/{device}/status", "stopped").WaitAsync(Bound);
        Assert.All(components, c => Assert.False(Available(c, seen), Key(c)));
    }

    [Fact]
    public async Task Agent_Discovery_ZoneRemovedDeletedKillUnavailableModeChangeMovesEntitiesLineRemovedFromDevice()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = "ha-" + Guid.NewGuid().ToString("N")[..8];
        await using var seen = await MosquittoSubscriber.StartAsync(broker.Port, $"{Prefix}/#", "-t", $"edgevision/{device}/status");

        // First run, one config message per entity; then killed: the Will makes every entity unavailable.
        string[] zoneTopics;
        using (var first = Start(broker.Port, device, ["--HomeAssistant:Discovery=component", .. ZoneAndLine]))
        {
            Assert.True(first.WaitForOutput("Home Assistant discovery (component)", Bound), first.Output);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var configs = Latest(seen, $"{Prefix}/").Where(m => m.Key.Contains(device, StringComparison.Ordinal)).ToList();
            Assert.All(configs, c => Assert.Empty(DiscoverySchema.Check(Prefix, c.Key, c.Value, ids)));
            zoneTopics = configs.Select(c => c.Key).Where(t => t.Contains("/sample_path_", StringComparison.Ordinal)).Order().ToArray();
            Assert.Equal(
                [$"{Prefix}/binary_sensor/edgevision_{device}/sample_path_occupancy/config", $"{Prefix}/sensor/edgevision_{device}/sample_path_person_count/config"],
                zoneTopics);
            first.KillHard();
            await seen.WaitForAsync($"edgevision/{device}/status", "offline").WaitAsync(Bound);
            var components = configs.Select(c => JsonDocument.Parse(c.Value).RootElement.Clone()).ToList();
            Assert.All(components, c => Assert.False(Available(c, seen), Key(c)));
        }

        // Second run without the zone: exactly the zone's entities are deleted (empty retained configs).
        var mark = seen.Messages.Count;
        using (var second = Start(broker.Port, device, ["--HomeAssistant:Discovery=component", .. ZoneAndLine[9..]]))
        {
            Assert.True(second.WaitForOutput("2 deleted", Bound), second.Output);
            var deleted = seen.Messages.Skip(mark).Where(m => m.Payload.Length == 0).Select(m => m.Topic).Order().ToArray();
            Assert.Equal(zoneTopics, deleted);
            await using var late = await MosquittoSubscriber.StartAsync(broker.Port, $"{Prefix}/+/edgevision_{device}/+/config");
            await Task.Delay(1000);
            Assert.DoesNotContain(late.Messages, m => zoneTopics.Contains(m.Topic));
            second.Terminate();
            Assert.Equal(0, second.WaitForExit(Bound));
        }

        // Third run in device mode: every per-entity config is deleted and the devices carry the entities.
        mark = seen.Messages.Count;
        using (var third = Start(broker.Port, device, [.. ZoneAndLine[9..]]))
        {
            Assert.True(third.WaitForOutput("Home Assistant discovery (device)", Bound), third.Output);
            var after = seen.Messages.Skip(mark).ToList();
            Assert.Contains(after, m => m.Topic == $"{Prefix}/device/edgevision_{device}_sample/config" && m.Payload.Length > 0);
            var stillPerEntity = Latest(seen, $"{Prefix}/").Where(m => !m.Key.StartsWith($"{Prefix}/device/", StringComparison.Ordinal) && m.Key.Contains($"/edgevision_{device}/", StringComparison.Ordinal) && m.Value.Length > 0).ToList();
            Assert.Empty(stillPerEntity);
            third.Terminate();
            Assert.Equal(0, third.WaitForExit(Bound));
        }

        // Fourth run, device mode without the line: the camera's device lists the line's entities by platform
        // alone, which is how Home Assistant is told to remove a device's component.
        mark = seen.Messages.Count;
        using (var fourth = Start(broker.Port, device, []))
        {
            Assert.True(fourth.WaitForOutput("Home Assistant discovery (device)", Bound), fourth.Output);
            var sample = seen.Messages.Skip(mark).Last(m => m.Topic == $"{Prefix}/device/edgevision_{device}_sample/config");
            Assert.Empty(DiscoverySchema.Check(Prefix, sample.Topic, sample.Payload, new HashSet<string>()));
            var removed = JsonDocument.Parse(sample.Payload).RootElement.GetProperty("components").EnumerateObject()
                .Where(c => c.Value.EnumerateObject().Count() == 1).Select(c => $"{c.Name}={c.Value.GetProperty("platform").GetString()}").Order().ToArray();
            Assert.Equal(["sample_gate_person_in=sensor", "sample_gate_person_out=sensor"], removed);
        }
    }

    private AgentProcess Start(int port, string device, string[] more) => AgentProcess.Start(
        new Dictionary<string, string> { ["STATE_DIRECTORY"] = _state },
        [
            "run",
            "--EdgeVision:ConsoleSummaryInterval=00:00:00",
            $"--EdgeVision:SnapshotDirectory={Path.Combine(_state, "snapshots")}",
            $"--Mqtt:Outbox:Directory={Path.Combine(_state, "outbox-" + device)}",
            $"--Mqtt:DeviceId={device}",
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={port}",
            "--Mqtt:StatsInterval=00:00:01",
            "--Http:Enabled=false",
            .. more,
        ]);

    private static async Task<Dictionary<string, string>> DeviceConfigsAsync(MosquittoSubscriber seen, string device, string[] suffixes)
    {
        var topics = suffixes.Select(s => $"{Prefix}/device/edgevision_{device}{s}/config").ToList();
        await seen.WaitForAsync(_ => topics.All(t => seen.Messages.Any(m => m.Topic == t))).WaitAsync(Bound);
        return topics.ToDictionary(t => t, t => seen.Messages.Last(m => m.Topic == t).Payload, StringComparer.Ordinal);
    }

    private static Dictionary<string, string> Latest(MosquittoSubscriber seen, string start) =>
        seen.Messages.Where(m => m.Topic.StartsWith(start, StringComparison.Ordinal)).GroupBy(m => m.Topic).ToDictionary(g => g.Key, g => g.Last().Payload, StringComparer.Ordinal);

    private static IEnumerable<JsonElement> Components(string payload)
    {
        var root = JsonDocument.Parse(payload).RootElement.Clone();
        return root.GetProperty("components").EnumerateObject().Select(p => p.Value);
    }

    private static string Key(JsonElement component) =>
        component.GetProperty("unique_id").GetString()!.Split('_', 3)[2];

    private static IEnumerable<string> Topics(JsonElement component, params string[] keys) =>
        keys.Where(k => component.TryGetProperty(k, out _)).Select(k => component.GetProperty(k).GetString()!);

    private static IEnumerable<string> AvailabilityTopics(JsonElement component) =>
        component.GetProperty("availability").EnumerateArray().Select(a => a.GetProperty("topic").GetString()!);

    /// <summary>
    /// What Home Assistant decides from the latest payload of each availability topic, as its documentation says:
    /// an entry is available when its payload (after the entry's template) is payload_available (default
    /// <c>online</c>), unavailable when it is payload_not_available (default <c>offline</c>); with mode <c>all</c>
    /// every entry must be available. The one template the agent uses maps anything but <c>online</c> to <c>offline</c>.
    /// </summary>
    private static bool Available(JsonElement component, MosquittoSubscriber seen)
    {
        Assert.Equal("all", component.GetProperty("availability_mode").GetString());
        foreach (var entry in component.GetProperty("availability").EnumerateArray())
        {
            var topic = entry.GetProperty("topic").GetString()!;
            var payload = seen.Messages.LastOrDefault(m => m.Topic == topic)?.Payload;
            if (payload is null)
            {
                return false;
            }

            if (entry.TryGetProperty("value_template", out var template))
            {
                Assert.Equal("{{ 'online' if value == 'online' else 'offline' }}", template.GetString());
                payload = payload == "online" ? "online" : "offline";
            }

            if (payload != "online")
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Waiting on a condition with a clear message when it never holds.</summary>
internal static class HttpTestWait
{
    public static async Task UntilAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what());
            await Task.Delay(200);
        }
    }
}
