using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeVision.EdgeAgent.Mqtt.Outbox;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Faults;

/// <summary>One event as a subscriber received it: its place in the arrival order, and what identifies it.</summary>
internal sealed record ReceivedEvent(int Arrival, string Camera, long Seq, string EventId, string Payload);

/// <summary>
/// What the fault tests share: the agent's settings (the bundled clip with a zone, so events flow), a subscriber that
/// loses nothing across a broker restart, reading events back, and looking into the agent's outbox from outside.
/// </summary>
internal static class FaultRun
{
    /// <summary>Bound on each wait; it only keeps a broken case from hanging.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>A zone over the lower middle of the clip, where people walk: every person crossing it makes events.</summary>
    private static readonly double[][] ZonePoints = [[0.2, 0.45], [0.8, 0.45], [0.8, 0.9], [0.2, 0.9]];

    public static string NewDevice() => "fault-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>`edgevision run` settings: the given cameras on the clip, each with the zone, a short reconnect cap, 1 s stats.</summary>
    public static string[] Settings(string device, int brokerPort, string outbox, params string[] cameras)
    {
        var settings = new List<string>
        {
            "run",
            "--EdgeVision:ConsoleSummaryInterval=00:00:00",
            $"--EdgeVision:SnapshotDirectory={Path.Combine(outbox, "..", "snapshots")}",
            $"--Mqtt:DeviceId={device}",
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={brokerPort}",
            "--Mqtt:StatsInterval=00:00:01",
            "--Mqtt:ReconnectMaxDelay=00:00:01",
            $"--Mqtt:Outbox:Directory={outbox}",
        };
        for (var i = 0; i < cameras.Length; i++)
        {
            var camera = $"--EdgeVision:Cameras:{i}";
            settings.AddRange([$"{camera}:Name={cameras[i]}", $"{camera}:Source=samples/vtest-clip.mp4", $"{camera}:Loop=true", $"{camera}:Analytics:Zones:0:Name=path"]);
            for (var p = 0; p < ZonePoints.Length; p++)
            {
                settings.Add(string.Create(CultureInfo.InvariantCulture, $"{camera}:Analytics:Zones:0:Points:{p}:0={ZonePoints[p][0]}"));
                settings.Add(string.Create(CultureInfo.InvariantCulture, $"{camera}:Analytics:Zones:0:Points:{p}:1={ZonePoints[p][1]}"));
            }
        }

        return [.. settings];
    }

    /// <summary>
    /// mosquitto_sub with a persistent session (clean session off, fixed client id, QoS 1) on a broker that saves
    /// sessions: after the broker restarts, what was published for it while it reconnected waits in its session.
    /// It takes events, stats and status only (snapshots are binary and not what these tests count).
    /// </summary>
    public static async Task<MosquittoSubscriber> PersistentSubscriberAsync(MosquittoBroker broker, string device)
    {
        var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/+/events", "-t", $"edgevision/{device}/stats", "-t", $"edgevision/{device}/status", "-c", "-i", "sub-" + device, "-q", "1");

        // Until the broker has saved the subscription, a SIGKILL would take it along, and with it what the
        // restarted broker receives before the subscriber is back: the rig's loss, not the agent's.
        await broker.WaitForNextSaveAsync();
        return subscriber;
    }

    /// <summary>Every event message received so far, in arrival order (duplicates included).</summary>
    public static List<ReceivedEvent> Events(MosquittoSubscriber subscriber, string device) =>
        subscriber.Messages
            .Where(m => m.Topic.StartsWith($"edgevision/{device}/", StringComparison.Ordinal) && m.Topic.EndsWith("/events", StringComparison.Ordinal))
            .Select((m, i) => Parse(i, m.Payload))
            .ToList();

    public static ReceivedEvent Parse(int arrival, string payload)
    {
        using var json = JsonDocument.Parse(payload);
        var root = json.RootElement;
        return new ReceivedEvent(arrival, root.GetProperty("camera").GetString()!, root.GetProperty("seq").GetInt64(), root.GetProperty("event_id").GetString()!, payload);
    }

    public static Task WaitForEventsAsync(MosquittoSubscriber subscriber, string device, string camera, int count) =>
        subscriber.WaitForAsync(_ => Events(subscriber, device).Count(e => e.Camera == camera) >= count).WaitAsync(Bound);

    /// <summary>Bytes in the outbox's segment files; read from outside while the agent holds the outbox.</summary>
    public static long LogBytes(string outbox) =>
        Directory.Exists(outbox) ? new DirectoryInfo(outbox).EnumerateFiles("*.log").Sum(f => f.Length) : 0;

    /// <summary>Waits until the outbox's log has grown by <paramref name="bytes"/>: messages were accepted meanwhile.</summary>
    public static async Task WaitForLogGrowthAsync(string outbox, long from, long bytes, AgentProcess agent)
    {
        var bound = Stopwatch.StartNew();
        while (LogBytes(outbox) < from + bytes)
        {
            if (bound.Elapsed > Bound || agent.HasExited)
            {
                throw new TimeoutException($"the outbox {outbox} did not grow by {bytes} bytes (now {LogBytes(outbox) - from}); agent output:\n{agent.Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The messages waiting in an outbox no agent holds now, read through the agent's own recovery (which leaves them waiting).</summary>
    public static IReadOnlyList<OutboxRecord> PendingIn(string outbox)
    {
        using var opened = DurableOutbox.Open(outbox, new OutboxOptions(), new RecordingLogger());
        return opened.Waiting();
    }
}
