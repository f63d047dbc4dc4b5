using System.Text;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Faults;

/// <summary>
/// The real agent SIGKILLed while the broker is down, so accepted events sit unacknowledged in its outbox; then the
/// broker comes back and the agent is started again on the same state directory.
/// </summary>
public sealed class AgentKillTests
{
    [Fact]
    public async Task AgentKilledWithUnacknowledgedEvents_RestartDeliversEveryOneInOrderBeforeNewEvents()
    {
        using var state = new TemporaryDirectory();
        var outbox = state.Combine("outbox");
        await using var broker = await MosquittoBroker.StartAsync(persistent: true);
        var device = FaultRun.NewDevice();
        await using var subscriber = await FaultRun.PersistentSubscriberAsync(broker, device);
        var settings = FaultRun.Settings(device, broker.Port, outbox, "gate");

        List<ReceivedEvent> delivered;
        using (var first = AgentProcess.Start(settings))
        {
            await FaultRun.WaitForEventsAsync(subscriber, device, "gate", 3);
            broker.KillHard();
            delivered = FaultRun.Events(subscriber, device);
            await FaultRun.WaitForLogGrowthAsync(outbox, FaultRun.LogBytes(outbox), 8 * 1024, first);
            first.KillHard();
        }

        // What the killed agent had accepted and the broker never acknowledged, as the restarted agent will find it.
        var stranded = FaultRun.PendingIn(outbox);
        var strandedEvents = stranded.Where(r => r.Topic.EndsWith("/events", StringComparison.Ordinal)).Select(r => FaultRun.Parse(-1, Encoding.UTF8.GetString(r.Payload.Span))).ToList();
        Assert.NotEmpty(strandedEvents);

        // Every event of the first run, delivered before the outage or stranded by the kill: seq 1, 2, 3, ... with no gap.
        var firstRun = delivered.DistinctBy(e => e.Seq).Concat(strandedEvents.Where(e => delivered.All(d => d.Seq != e.Seq))).Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, firstRun.Count).Select(i => (long)i), firstRun);

        await broker.RestartAsync();
        using var second = AgentProcess.Start(settings);
        var arrivedBefore = subscriber.Messages.Count;
        foreach (var e in strandedEvents)
        {
            var arrived = await Task.WhenAny(subscriber.WaitForAsync(m => m.Payload == e.Payload), Task.Delay(FaultRun.Bound));
            Assert.True(arrived.IsCompletedSuccessfully && arrived is Task<ReceivedMessage>, $"stranded event {e.Camera} #{e.Seq} never arrived; agent output:\n{second.Output}");
        }

        Assert.True(second.WaitForOutput($"Outbox {outbox}: {stranded.Count} messages (", FaultRun.Bound), second.Output);

        // Replayed in their order, each before any event the second run made on the camera.
        var afterRestart = FaultRun.Events(subscriber, device).Where(e => e.Arrival >= delivered.Count).ToList();
        var strandedIds = strandedEvents.Select(e => (e.EventId, e.Seq)).ToHashSet();
        var replayed = afterRestart.Where(e => strandedIds.Contains((e.EventId, e.Seq))).DistinctBy(e => e.Seq).ToList();
        Assert.Equal(strandedEvents.Select(e => e.Seq), replayed.Select(e => e.Seq));
        var firstNew = afterRestart.FirstOrDefault(e => !strandedIds.Contains((e.EventId, e.Seq)) && delivered.All(d => d.EventId != e.EventId || d.Seq != e.Seq));
        Assert.True(firstNew is null || firstNew.Arrival > replayed[^1].Arrival, $"a new event arrived before the replay ended: {firstNew}");
        Assert.True(subscriber.Messages.Count > arrivedBefore);
    }
}
