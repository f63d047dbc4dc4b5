using System.Text.Json;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Agent;

/// <summary>
/// The real agent process (`edgevision run`) playing the bundled clip, watched by an independent subscriber
/// (Debian's mosquitto_sub) through a real mosquitto or through the agent's embedded broker.
/// </summary>
public sealed class AgentMqttIntegrationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static string NewDevice() => "it-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Configuration overrides every test run shares: no console summary, fast stats, a unique device.</summary>
    private static readonly string SnapshotRoot = Path.Combine(Path.GetTempPath(), "edgevision-tests-" + Environment.ProcessId, "snapshots");

    private static List<string> Settings(string device, params string[] more) =>
    [
        "run",
        "--EdgeVision:ConsoleSummaryInterval=00:00:00",
        $"--EdgeVision:SnapshotDirectory={Path.Combine(SnapshotRoot, device)}",
        $"--Mqtt:Outbox:Directory={Path.Combine(MqttTestSupport.OutboxRoot, device)}",
        $"--Mqtt:DeviceId={device}",
        "--Mqtt:StatsInterval=00:00:01",
        .. more,
    ];

    [Fact]
    public async Task Run_WithMosquitto_PublishesOnlineAndPersonDetectionsThenLastWillWhenKilled()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = NewDevice();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/#");
        using var agent = AgentProcess.Start([.. Settings(device, "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={broker.Port}")]);

        var online = await subscriber.WaitForAsync($"edgevision/{device}/status", "online").WaitAsync(Bound);
        var detections = await WaitForPersonDetectionsAsync(subscriber, device, "sample", 5);

        AssertWellFormed(detections, device, "sample");
        Assert.False(agent.HasExited, agent.Output);
        agent.KillHard();

        // The broker publishes the will, retained, once it notices the dead connection.
        await subscriber.WaitForAsync($"edgevision/{device}/status", "offline").WaitAsync(Bound);
        await using var late = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/status");
        var retained = await late.WaitForTopicAsync($"edgevision/{device}/status").WaitAsync(Bound);
        Assert.Equal((true, "offline"), (retained.Retained, retained.Payload));
        Assert.Equal("online", online.Payload);
    }

    [Fact]
    public async Task Run_WithEmbeddedBroker_ServesDetectionsAndRetainedStatusThenStoppedOnSigterm()
    {
        var port = MosquittoBroker.FreePort();
        var device = NewDevice();
        using var agent = AgentProcess.Start([.. Settings(device, $"--Mqtt:Embedded:Port={port}")]);
        Assert.True(agent.WaitForOutput($"watch with: mosquitto_sub -h 127.0.0.1 -p {port} -v -t 'edgevision/#'", Bound), agent.Output);

        // Subscribe once "online" is stored. MQTTnet's broker can lose a retained message published while a
        // client subscribes: the subscription reads the retained store before the message is in it, and is
        // listed as a subscriber only after the message has been dispatched.
        Assert.True(agent.WaitForOutput($"status edgevision/{device}/status is online", Bound), agent.Output);

        await using var subscriber = await MosquittoSubscriber.StartAsync(port, $"edgevision/{device}/#");
        await subscriber.WaitForAsync($"edgevision/{device}/status", "online").WaitAsync(Bound);
        var detections = await WaitForPersonDetectionsAsync(subscriber, device, "sample", 5);

        // A subscriber arriving now gets the status from the broker's retained store.
        await using (var late = await MosquittoSubscriber.StartAsync(port, $"edgevision/{device}/status"))
        {
            var status = await late.WaitForTopicAsync($"edgevision/{device}/status").WaitAsync(Bound);
            Assert.Equal((true, "online"), (status.Retained, status.Payload));
        }

        AssertWellFormed(detections, device, "sample");
        agent.Terminate();
        await subscriber.WaitForAsync($"edgevision/{device}/status", "stopped").WaitAsync(Bound);
        Assert.Equal(0, agent.WaitForExit(Bound));
    }

    [Fact]
    public async Task Run_FourCamerasOneSession_EveryCameraReachesMqttAndStatsShowBatchesAboveOne()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = NewDevice();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/#");
        var cameras = new List<string>();
        string[] names = ["north", "south", "east", "west"];
        for (var i = 0; i < names.Length; i++)
        {
            // Unpaced: each camera delivers frames as fast as the pipeline takes them, so batches fill.
            cameras.Add($"--EdgeVision:Cameras:{i}:Name={names[i]}");
            cameras.Add($"--EdgeVision:Cameras:{i}:Source=samples/vtest-clip.mp4");
            cameras.Add($"--EdgeVision:Cameras:{i}:Loop=true");
            cameras.Add($"--EdgeVision:Cameras:{i}:Paced=false");
        }

        using var agent = AgentProcess.Start([.. Settings(device, ["--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={broker.Port}", .. cameras])]);

        foreach (var name in names)
        {
            await WaitForPersonDetectionsAsync(subscriber, device, name, 3);
        }

        var stats = await subscriber.WaitForAsync(m => m.Topic == $"edgevision/{device}/stats" && LargestBatch(m.Payload) > 1).WaitAsync(Bound);
        using var document = JsonDocument.Parse(stats.Payload);
        Assert.Equal(names.Order(), document.RootElement.GetProperty("cameras").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
        Assert.False(agent.HasExited, agent.Output);
    }

    [Fact]
    public async Task Run_NoBrokerAtStart_KeepsRunningAndPublishesOnceTheBrokerAppears()
    {
        var port = MosquittoBroker.FreePort();
        var device = NewDevice();
        using var agent = AgentProcess.Start([.. Settings(device, "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={port}", "--Mqtt:ReconnectMaxDelay=00:00:01")]);
        Assert.True(agent.WaitForOutput("Pipeline started", Bound), agent.Output);

        await using var broker = await MosquittoBroker.StartAsync(port);
        await using var subscriber = await MosquittoSubscriber.StartAsync(port, $"edgevision/{device}/#");
        await subscriber.WaitForAsync($"edgevision/{device}/status", "online").WaitAsync(Bound);
        await WaitForPersonDetectionsAsync(subscriber, device, "sample", 2);
        Assert.False(agent.HasExited, agent.Output);
    }

    [Fact]
    public async Task Run_UnreachableCamera_OtherCameraKeepsPublishingAndReconnectsAreCounted()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = NewDevice();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/#");
        using var agent = AgentProcess.Start([.. Settings(
            device,
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={broker.Port}",
            "--EdgeVision:Cameras:1:Name=gone",
            "--EdgeVision:Cameras:1:Source=rtsp://127.0.0.1:1/nothing",
            "--EdgeVision:Cameras:1:OpenTimeout=00:00:01",
            "--EdgeVision:Cameras:1:ReconnectInitialDelay=00:00:00.200",
            "--EdgeVision:Cameras:1:ReconnectMaxDelay=00:00:01")]);

        await WaitForPersonDetectionsAsync(subscriber, device, "sample", 5);
        var stats = await subscriber.WaitForAsync(m => m.Topic == $"edgevision/{device}/stats" && Reconnects(m.Payload, "gone") >= 2).WaitAsync(Bound);

        Assert.Equal(0, Processed(stats.Payload, "gone"));
        Assert.DoesNotContain(subscriber.Messages, m => m.Topic == $"edgevision/{device}/gone/detections");
    }

    [Fact]
    public async Task Run_StartedOutsideTheRepository_FindsConfigModelAndClipBesideItsBinaries()
    {
        var port = MosquittoBroker.FreePort();
        var device = NewDevice();
        using var agent = AgentProcess.StartIn(Path.GetTempPath(), new Dictionary<string, string>(), [.. Settings(device, $"--Mqtt:Embedded:Port={port}")]);
        Assert.True(agent.WaitForOutput("Pipeline started", Bound), agent.Output);

        await using var subscriber = await MosquittoSubscriber.StartAsync(port, $"edgevision/{device}/#");
        await WaitForPersonDetectionsAsync(subscriber, device, "sample", 2);
        Assert.Contains($"Camera sample: capture started", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidConfiguration_ExitsTwoNamingEveryBadKeyBeforeAnyCameraOpens()
    {
        using var agent = AgentProcess.Start(
            "run",
            "--EdgeVision:Cameras:0:Name=Front Door",
            "--EdgeVision:Cameras:1:Name=yard",
            "--EdgeVision:Cameras:1:Source=missing.mp4",
            "--EdgeVision:Pipeline:MaxBatchSize=0",
            "--Mqtt:TopicPrefix=a/b");

        Assert.Equal(2, agent.WaitForExit(Bound));
        var output = agent.Output;
        Assert.Contains("error: invalid configuration:", output, StringComparison.Ordinal);
        Assert.Contains("EdgeVision:Cameras:0:Name: 'Front Door'", output, StringComparison.Ordinal);
        Assert.Contains($"EdgeVision:Cameras:1:Source: file not found: {Path.Combine(RepositoryPaths.Root, "missing.mp4")}", output, StringComparison.Ordinal);
        Assert.Contains("EdgeVision:Pipeline:MaxBatchSize: must be 1 to 64, found 0", output, StringComparison.Ordinal);
        Assert.Contains("Mqtt:TopicPrefix", output, StringComparison.Ordinal);
        Assert.DoesNotContain("capture started", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnconvertibleValueAndUnknownKeys_ExitsTwoNamingEachKey()
    {
        using var agent = AgentProcess.Start("run", "--EdgeVision:Cameras:0:Loop=sometimes", "--EdgeVision:Colour=red", "--Mqtt:Prot=1884");

        Assert.Equal(2, agent.WaitForExit(Bound));
        var output = agent.Output;
        Assert.Contains("error: invalid configuration:", output, StringComparison.Ordinal);
        Assert.Contains("EdgeVision:Cameras:0: Failed to convert configuration value 'sometimes' at 'EdgeVision:Cameras:0:Loop'", output, StringComparison.Ordinal);
        Assert.Contains("EdgeVision:Colour: unknown setting", output, StringComparison.Ordinal);
        Assert.Contains("Mqtt: unknown setting 'Prot'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ZoneOnTheClip_PublishesTrackIdsEventsCaptionsSnapshotsSummariesAndRetainedCounts()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = NewDevice();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/#");
        using var agent = AgentProcess.Start([.. Settings(
            device,
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={broker.Port}",
            "--EdgeVision:Cameras:0:Analytics:SummaryInterval=00:00:02",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Name=path",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:0=0.2", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:1=0.45",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:1:0=0.8", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:1:1=0.45",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:2:0=0.8", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:2:1=0.9",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:3:0=0.2", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:3:1=0.9")]);
        var prefix = $"edgevision/{device}/sample";

        var zoneCaption = await subscriber.WaitForAsync(m => m.Topic == $"{prefix}/captions" && m.Payload.Contains("entered zone 'path'", StringComparison.Ordinal)).WaitAsync(Bound);
        await subscriber.WaitForAsync(m => m.Topic == $"{prefix}/path/person").WaitAsync(Bound);

        var events = subscriber.Messages.Where(m => m.Topic == $"{prefix}/events").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "new" && e.GetProperty("label").GetString() == "person");
        var seqs = events.Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(i => (long)i), seqs);
        foreach (var group in events.GroupBy(e => e.GetProperty("track_id").GetInt32()))
        {
            Assert.Single(group.Select(e => e.GetProperty("object_id").GetString()).Distinct());
        }

        Assert.Equal(events.Count, events.Select(e => e.GetProperty("event_id").GetString()).Distinct().Count());

        using var caption = JsonDocument.Parse(zoneCaption.Payload);
        var captioned = events.Single(e => e.GetProperty("event_id").GetString() == caption.RootElement.GetProperty("event_id").GetString()
            && e.GetProperty("seq").GetInt64() == caption.RootElement.GetProperty("seq").GetInt64());
        Assert.Contains("path", captioned.GetProperty("current_zones").EnumerateArray().Select(z => z.GetString()));
        Assert.Equal(captioned.GetProperty("caption").GetString(), caption.RootElement.GetProperty("text").GetString());
        Assert.StartsWith("A person", caption.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);

        Assert.Contains(subscriber.Messages, m => m.Topic == $"{prefix}/detections" && m.Payload.Contains("\"track_id\":", StringComparison.Ordinal));
        // Summaries come every 2 s; one with people in view must arrive while the clip shows people.
        var summary = await subscriber.WaitForAsync(m => m.Topic == $"{prefix}/captions" && m.Payload.Contains("\"type\":\"summary\"", StringComparison.Ordinal)
            && System.Text.RegularExpressions.Regex.IsMatch(m.Payload, @"""text"":""\d+ (person|people)[^""]* in view")).WaitAsync(Bound);
        Assert.Contains($"\"camera\":\"sample\"", summary.Payload, StringComparison.Ordinal);
        // The best view of a person: a retained JPEG on MQTT, and files in the snapshot archive.
        var jpeg = await ReadRetainedBytesAsync(broker.Port, $"{prefix}/person/snapshot");
        Assert.True(jpeg.Length > 500 && jpeg[0] == 0xFF && jpeg[1] == 0xD8 && jpeg[^2] == 0xFF && jpeg[^1] == 0xD9, $"{jpeg.Length} bytes, not a JPEG");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(SnapshotRoot, device, "sample"), "sample-*.jpg"));

        await using var late = await MosquittoSubscriber.StartAsync(broker.Port, $"{prefix}/all/person");
        var retained = await late.WaitForTopicAsync($"{prefix}/all/person").WaitAsync(Bound);
        Assert.True(retained.Retained);

        // The retained in-view count is one the agent published on that topic, and the published counts saw people.
        var published = subscriber.Messages.Where(m => m.Topic == $"{prefix}/all/person").Select(m => m.Payload).ToList();
        Assert.Contains(retained.Payload, published);
        Assert.Contains(published, p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    /// <summary>One retained message's payload as raw bytes (mosquitto_sub -N: no newline added).</summary>
    private static async Task<byte[]> ReadRetainedBytesAsync(int port, string topic)
    {
        var info = new System.Diagnostics.ProcessStartInfo("mosquitto_sub") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-C", "1", "-N", "-W", "30" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        using var bytes = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(bytes).WaitAsync(Bound);
        await process.WaitForExitAsync().WaitAsync(Bound);
        return bytes.ToArray();
    }

    private static async Task<List<JsonElement>> WaitForPersonDetectionsAsync(MosquittoSubscriber subscriber, string device, string camera, int count)
    {
        var topic = $"edgevision/{device}/{camera}/detections";
        await subscriber.WaitForAsync(_ => subscriber.Messages.Count(m => m.Topic == topic && m.Payload.Contains("\"person\"", StringComparison.Ordinal)) >= count).WaitAsync(Bound);
        return subscriber.Messages.Where(m => m.Topic == topic).Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
    }

    private static void AssertWellFormed(List<JsonElement> messages, string device, string camera)
    {
        long previous = -1;
        foreach (var m in messages)
        {
            Assert.Equal("edgevision.detections", m.GetProperty("schema").GetString());
            Assert.Equal(1, m.GetProperty("version").GetInt32());
            Assert.Equal(device, m.GetProperty("device").GetString());
            Assert.Equal(camera, m.GetProperty("camera").GetString());
            Assert.Equal((768, 576), (m.GetProperty("width").GetInt32(), m.GetProperty("height").GetInt32()));
            Assert.Equal("nanodet-g-416-int8", m.GetProperty("model").GetString());
            Assert.True(m.GetProperty("inference_ms").GetDouble() > 0);
            Assert.EndsWith("Z", m.GetProperty("captured_at").GetString(), StringComparison.Ordinal);
            Assert.True(DateTimeOffset.TryParse(m.GetProperty("captured_at").GetString(), out _));
            var seq = m.GetProperty("seq").GetInt64();
            Assert.True(seq > previous, $"seq {seq} after {previous}");
            previous = seq;
            foreach (var d in m.GetProperty("detections").EnumerateArray())
            {
                var box = d.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                Assert.Equal(4, box.Length);
                Assert.True(box[0] >= 0 && box[1] >= 0 && box[2] <= 768 && box[3] <= 576 && box[0] < box[2] && box[1] < box[3], string.Join(",", box));
                Assert.InRange(d.GetProperty("score").GetDouble(), 0.4, 1.0);
                Assert.InRange(d.GetProperty("class_id").GetInt32(), 0, 79);
                Assert.False(string.IsNullOrEmpty(d.GetProperty("label").GetString()));
            }
        }

        Assert.Contains(messages, m => m.GetProperty("detections").EnumerateArray().Count(d => d.GetProperty("label").GetString() == "person") >= 2);
    }

    private static int LargestBatch(string statsJson)
    {
        using var document = JsonDocument.Parse(statsJson);
        return document.RootElement.GetProperty("batch_sizes").EnumerateObject().Where(p => p.Value.GetInt64() > 0).Select(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
    }

    private static long CameraField(string statsJson, string camera, string field)
    {
        using var document = JsonDocument.Parse(statsJson);
        return document.RootElement.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("name").GetString() == camera).GetProperty(field).GetInt64();
    }

    /// <summary>The camera's reconnects, or -1 in a stats message from before the pipeline listed its cameras.</summary>
    private static long Reconnects(string statsJson, string camera)
    {
        using var document = JsonDocument.Parse(statsJson);
        return document.RootElement.GetProperty("cameras").EnumerateArray().Any(c => c.GetProperty("name").GetString() == camera)
            ? CameraField(statsJson, camera, "reconnects")
            : -1;
    }

    private static long Processed(string statsJson, string camera) => CameraField(statsJson, camera, "processed");
}
