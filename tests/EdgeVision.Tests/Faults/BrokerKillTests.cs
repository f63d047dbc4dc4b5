using System.Text.Json;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Faults;

/// <summary>
/// The real agent on two cameras of the bundled clip, publishing to a real mosquitto that is SIGKILLed mid-run and
/// restarted on the same port after a pause. The subscriber keeps a persistent session on a broker that saves it,
/// so what it received is what the agent delivered.
/// </summary>
public sealed class BrokerKillTests
{
    [Fact]
    public async Task BrokerKilledAndRestarted_EveryEventArrivesOncePerSeqInOrderPerCamera()
    {
        using var state = new TemporaryDirectory();
        var outbox = state.Combine("outbox");
        await using var broker = await MosquittoBroker.StartAsync(persistent: true);
        var device = FaultRun.NewDevice();
        await using var subscriber = await FaultRun.PersistentSubscriberAsync(broker, device);
        string[] cameras = ["north", "south"];
        using var agent = AgentProcess.Start(FaultRun.Settings(device, broker.Port, outbox, cameras));
        foreach (var camera in cameras)
        {
            await FaultRun.WaitForEventsAsync(subscriber, device, camera, 3);
        }

        broker.KillHard();
        var before = FaultRun.Events(subscriber, device);

        // Events keep coming while the broker is away: the outbox takes them (16 KB: a dozen or more events, captions and counts).
        await FaultRun.WaitForLogGrowthAsync(outbox, FaultRun.LogBytes(outbox), 16 * 1024, agent);
        await broker.RestartAsync();

        // A stats message after the reconnect with nothing waiting: everything accepted during the outage was acknowledged.
        await subscriber.WaitForAsync(m => m.Topic == $"edgevision/{device}/stats" && Drained(m.Payload)).WaitAsync(FaultRun.Bound);
        agent.Terminate();
        await subscriber.WaitForAsync($"edgevision/{device}/status", "stopped").WaitAsync(FaultRun.Bound);
        Assert.Equal(0, agent.WaitForExit(FaultRun.Bound));

        var events = FaultRun.Events(subscriber, device);

        // A clean stop delivers what waits within the publish timeout; anything still waiting is on disk for the next run.
        var waiting = FaultRun.PendingIn(outbox).Where(r => r.Topic.EndsWith("/events", StringComparison.Ordinal)).Select(r => FaultRun.Parse(-1, System.Text.Encoding.UTF8.GetString(r.Payload.Span))).ToList();
        foreach (var camera in cameras)
        {
            var received = events.Where(e => e.Camera == camera).ToList();
            var lastBeforeKill = before.Where(e => e.Camera == camera).Max(e => e.Seq);

            // At least once: a duplicate repeats event_id, seq and every byte of its first copy, and no two
            // different messages share an event_id, so de-duplicating by event_id alone is exact.
            foreach (var copies in received.GroupBy(e => e.EventId))
            {
                Assert.Single(copies.Select(e => (e.Seq, e.Payload)).Distinct());
            }

            // No gap and the camera's order: after de-duplication by event_id, 1, 2, 3, ...; what still waits continues them.
            var firstArrivals = received.DistinctBy(e => e.EventId).Select(e => e.Seq).ToList();
            Assert.Equal(Enumerable.Range(1, firstArrivals.Count).Select(i => (long)i), firstArrivals);
            Assert.Equal(Enumerable.Range(firstArrivals.Count + 1, waiting.Count(e => e.Camera == camera)).Select(i => (long)i), waiting.Where(e => e.Camera == camera).Select(e => e.Seq));
            Assert.True(firstArrivals[^1] > lastBeforeKill, $"{camera}: nothing after seq {lastBeforeKill} arrived");
        }

        // The run really spanned the outage: events made while the broker was dead were delivered after it came back.
        Assert.Contains(events, e => e.Arrival >= before.Count);
        Assert.Contains($"MQTT connection to 127.0.0.1:{broker.Port} lost", agent.Output, StringComparison.Ordinal);
    }

    private static bool Drained(string statsJson)
    {
        using var json = JsonDocument.Parse(statsJson);
        var root = json.RootElement;
        return root.GetProperty("publisher").GetProperty("reconnects").GetInt64() >= 1
            && root.GetProperty("outbox").GetProperty("pending").GetInt64() == 0;
    }
}
