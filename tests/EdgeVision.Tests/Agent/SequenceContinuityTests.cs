using System.Text.Json;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Pipeline;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeVision.Tests.Agent;

/// <summary>Event and frame numbering that continues across restarts: exactly after a clean stop, after a gap after a crash, from 1 under a new epoch when the state is lost.</summary>
public sealed class SequenceContinuityTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Counter_ReservesBeforeHandingOutAnUnreservedNumber()
    {
        var reservations = new List<long>();
        var counter = new SequenceCounter(5, upTo =>
        {
            reservations.Add(upTo);
            return upTo + 3;
        });

        var numbers = Enumerable.Range(0, 7).Select(_ => counter.Next()).ToList();

        Assert.Equal([5, 6, 7, 8, 9, 10, 11], numbers);
        Assert.Equal([5, 8, 11], reservations);
        Assert.Equal(12, counter.Peek);
    }

    [Fact]
    public void File_CleanStopExactCrashAfterTheReservedBlockLostStateNewEpoch()
    {
        var path = Path.Combine(_directory.Path, "sequences-dev.json");
        var first = new SequenceFile(path, NullLogger.Instance);
        var events = first.Counter("yard", SequenceKind.Events);
        var frames = first.Counter("yard", SequenceKind.Frames);
        Assert.Same(events, first.Counter("yard", SequenceKind.Events));
        Assert.Equal((1L, 2L, 0L), (events.Next(), events.Next(), frames.Next()));
        Assert.Equal(1, first.Boot);

        // A clean stop: the next run continues exactly.
        first.SaveExact();
        var second = new SequenceFile(path, NullLogger.Instance);
        Assert.Equal((first.Epoch, 2L), (second.Epoch, second.Boot));
        Assert.Equal(3, second.Counter("yard", SequenceKind.Events).Next());
        Assert.Equal(1, second.Counter("yard", SequenceKind.Frames).Next());

        // A crash (no SaveExact): the next run starts after what the second had reserved — a gap, never a repeat.
        var third = new SequenceFile(path, NullLogger.Instance);
        Assert.Equal(3 + SequenceFile.EventBlock, third.Counter("yard", SequenceKind.Events).Next());
        Assert.Equal(1 + SequenceFile.FrameBlock, third.Counter("yard", SequenceKind.Frames).Next());
        Assert.Equal((first.Epoch, 3L), (third.Epoch, third.Boot));

        // The state lost (damaged here): a new epoch, numbering from the start.
        File.WriteAllText(path, "{ not json");
        var fourth = new SequenceFile(path, NullLogger.Instance);
        Assert.NotEqual(first.Epoch, fourth.Epoch);
        Assert.Equal((1L, 1L), (fourth.Boot, fourth.Counter("yard", SequenceKind.Events).Next()));
    }

    [Fact]
    public async Task Agent_RestartedThenKilled_EventSeqContinuesThenJumpsWithTheBootCounted()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var device = "seq-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string> { ["STATE_DIRECTORY"] = Path.Combine(_directory.Path, "state") };
        string[] arguments =
        [
            "run", "--EdgeVision:ConsoleSummaryInterval=00:00:00", "--Http:Enabled=false", $"--Mqtt:DeviceId={device}", "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={broker.Port}", $"--Mqtt:Outbox:Directory={Path.Combine(_directory.Path, "outbox")}",
            $"--EdgeVision:SnapshotDirectory={Path.Combine(_directory.Path, "snapshots")}",
        ];
        await using var events = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/sample/events");

        // Each run waits for three events of its own boot: after a kill, the next run first delivers the events the
        // killed one left in the outbox, which carry the killed run's boot.
        async Task<List<(long Seq, string Epoch, long Boot)>> RunAsync(bool kill, long boot)
        {
            var before = events.Messages.Count;
            using var agent = AgentProcess.Start(environment, arguments);
            await events.WaitForAsync(_ => events.Messages.Skip(before).Count(m => BootOf(m.Payload) == boot) >= 3).WaitAsync(Bound);
            if (kill)
            {
                agent.KillHard();
            }
            else
            {
                agent.Terminate();
                Assert.Equal(0, agent.WaitForExit(Bound));
            }

            await Task.Delay(500);
            return [.. events.Messages.Skip(before).Select(m =>
            {
                using var json = JsonDocument.Parse(m.Payload);
                var root = json.RootElement;
                return (root.GetProperty("seq").GetInt64(), root.GetProperty("seq_epoch").GetString()!, root.GetProperty("seq_boot").GetInt64());
            })];
        }

        var all = (await RunAsync(kill: false, boot: 1)).Concat(await RunAsync(kill: true, boot: 2)).Concat(await RunAsync(kill: false, boot: 3)).ToList();

        // After the kill, the outbox delivers what the second run had not yet got acknowledged: those keep their
        // boot and seq (a consumer de-duplicates them by event id). Grouped by boot, each run's numbers are
        // consecutive from where it started; a clean stop leaves no gap, the kill one.
        var runs = all.GroupBy(e => e.Boot).OrderBy(g => g.Key).Select(g => g.Select(e => e.Seq).Distinct().Order().ToList()).ToList();
        Assert.Equal([1L, 2L, 3L], all.Select(e => e.Boot).Distinct().Order());
        foreach (var run in runs)
        {
            Assert.Equal(Enumerable.Range(0, run.Count).Select(i => run[0] + i), run);
        }

        var (first, second, third) = (runs[0], runs[1], runs[2]);
        Assert.Equal(1, first[0]);
        Assert.Equal(first[^1] + 1, second[0]);
        Assert.True(third[0] > second[^1] + 1, $"{third[0]} after {second[^1]}: a kill leaves a gap");
        Assert.Single(all.Select(e => e.Epoch).Distinct());
    }

    private static long BootOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("seq_boot").GetInt64();
    }
}
