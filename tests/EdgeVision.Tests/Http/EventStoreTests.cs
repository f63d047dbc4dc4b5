using System.Net;
using System.Text.Json;
using EdgeVision.EdgeAgent.Store;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeVision.Tests.Http;

/// <summary>The on-device history: a real SQLite file, written by the real agent or by the store alone.</summary>
public sealed class EventStoreTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Agent_EventsPagedWithBeforeAreExactAndOutliveARestart()
    {
        var database = _directory.Combine("history.db");
        List<string> firstRun;
        await using (var agent = await HttpSurfaceTests.RunningAgent.StartAsync($"--Store:Path={database}"))
        {
            using var http = agent.Client;
            await HttpSurfaceTests.Eventually(async () => JsonDocument.Parse(await http.GetStringAsync("/api/events?limit=500")).RootElement.GetArrayLength() >= 30, "fewer than 30 events stored");

            // Pages of 7 with before = the last id of the page before, against one query for everything up to the
            // first page's newest event: the same events, in the same order, none twice.
            var all = Ids(await http.GetStringAsync("/api/events?limit=500"));
            var newest = all[0];
            var everything = Ids(await http.GetStringAsync($"/api/events?limit=500&before={Uri.EscapeDataString(newest)}"));
            var paged = new List<string>();
            var cursor = newest;
            while (true)
            {
                var page = Ids(await http.GetStringAsync($"/api/events?limit=7&before={Uri.EscapeDataString(cursor)}"));
                if (page.Count == 0)
                {
                    break;
                }

                Assert.True(page.Count <= 7);
                paged.AddRange(page);
                cursor = page[^1];
            }

            Assert.Equal(everything, paged);
            Assert.Equal(paged.Count, paged.Distinct().Count());
            Assert.Equal(all.Skip(1).Take(everything.Count), everything);

            // after is the other direction: nothing is newer than the newest.
            Assert.Empty(Ids(await http.GetStringAsync($"/api/events?after={Uri.EscapeDataString(newest)}&before={Uri.EscapeDataString(newest)}")));
            using var one = JsonDocument.Parse(await http.GetStringAsync($"/api/events/{Uri.EscapeDataString(newest)}"));
            Assert.Equal(newest, one.RootElement.GetProperty("event_id").GetString());

            var counts = JsonDocument.Parse(await http.GetStringAsync("/api/counts?camera=sample&label=person&step=1"));
            Assert.NotEmpty(counts.RootElement.GetProperty("points").EnumerateArray());
            firstRun = all;
            agent.Process.Terminate();
            Assert.Equal(0, agent.Process.WaitForExit(Bound));
        }

        await using (var again = await HttpSurfaceTests.RunningAgent.StartAsync($"--Store:Path={database}"))
        {
            using var http = again.Client;
            await HttpSurfaceTests.Eventually(async () => (await http.GetAsync($"/api/events/{Uri.EscapeDataString(firstRun[^1])}")).StatusCode == HttpStatusCode.OK, "an event of the first run is gone");
        }
    }

    [Fact]
    public async Task Agent_CorruptDatabase_OneLineNamingTheFileAndDetectionGoesOn()
    {
        var database = _directory.Combine("broken.db");
        var noise = new byte[64 * 1024];
        new Random(5).NextBytes(noise);
        await File.WriteAllBytesAsync(database, noise);

        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync($"--Store:Path={database}");
        await using var subscriber = await MosquittoSubscriber.StartAsync(agent.MqttPort, $"edgevision/{agent.Device}/sample/detections");
        await subscriber.WaitForTopicAsync($"edgevision/{agent.Device}/sample/detections").WaitAsync(Bound);
        Assert.True(agent.Process.WaitForOutput($"Store: the database {database} cannot be opened", Bound), agent.Process.Output);
        Assert.Single(agent.Process.Output.Split('\n'), l => l.Contains("Store: the database", StringComparison.Ordinal));

        using var http = agent.Client;
        var events = await http.GetAsync("/api/events");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, events.StatusCode);
        Assert.False(agent.Process.HasExited);
    }

    [Fact]
    public async Task Prune_EventsAndSamplesOlderThanMaxAge_RemovedExactlyTheRestKept()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var options = new StoreOptions { Path = _directory.Combine("prune.db"), MaxAge = TimeSpan.FromMinutes(10), CountInterval = TimeSpan.FromHours(1) };
        using var store = new EventStore(options, "dev1", NullLogger<EventStore>.Instance, clock);
        await store.StartAsync(CancellationToken.None);
        await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Available), "the store did not open");

        // Three events 30, 20 and 5 minutes old, and two count samples 15 and 1 minute old.
        store.Offer(Frame(clock.GetUtcNow(), [Event("e-old", clock.GetUtcNow().AddMinutes(-30)), Event("e-older-than-max", clock.GetUtcNow().AddMinutes(-20)), Event("e-new", clock.GetUtcNow().AddMinutes(-5))], []), null!, 1);
        store.Offer(Frame(clock.GetUtcNow().AddMinutes(-15), [], [new CountChange("yard", CountKind.Occupancy, "all", "person", null, 2)]), null!, 1);
        store.Offer(Frame(clock.GetUtcNow().AddMinutes(-1), [], [new CountChange("yard", CountKind.Occupancy, "all", "person", null, 3)]), null!, 1);
        await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Counters is { EventsWritten: 3, CountsWritten: 2 }), $"rows not written: {store.Counters}");

        // The store prunes when it opens and then once a minute: two minutes on, whatever the first pass found, the
        // second has removed the rest; exactly the three rows older than ten minutes go, and nothing more later.
        clock.Advance(TimeSpan.FromMinutes(2));
        await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Counters.Pruned >= 3), $"pruned {store.Counters.Pruned}");
        await Task.Delay(1500);

        Assert.Equal(3, store.Counters.Pruned);
        Assert.Equal(["e-new"], store.Events(null, null, null, null, null, 100).Select(j => JsonDocument.Parse(j).RootElement.GetProperty("event_id").GetString()));
        var points = store.Counts("yard", "all", "person", "occupancy", string.Empty, clock.GetUtcNow().AddHours(-1), clock.GetUtcNow(), TimeSpan.FromSeconds(1));
        Assert.Equal([3], points.Select(p => p.Value));
        await store.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Prune_OverMaxBytes_OldestRemovedUntilItFitsCountsExact()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var path = _directory.Combine("size.db");
        var options = new StoreOptions { Path = path, MaxBytes = 1024 * 1024, CountInterval = TimeSpan.FromHours(1) };
        using var store = new EventStore(options, "dev1", NullLogger<EventStore>.Instance, clock);
        await store.StartAsync(CancellationToken.None);
        await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Available), "the store did not open");

        // 9 000 events a second apart, all young enough to keep by age: about three times what 1 MB holds.
        const int Total = 9000;
        var start = clock.GetUtcNow().AddHours(-3);
        for (var i = 0; i < Total; i += 100)
        {
            store.Offer(Frame(clock.GetUtcNow(), Enumerable.Range(i, 100).Select(n => Event($"e{n:D5}", start.AddSeconds(n))).ToArray(), []), null!, 1);
        }

        await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Counters.EventsWritten == Total), $"rows not written: {store.Counters}");
        Assert.True(UsedBytes(path) > 2 * options.MaxBytes, $"only {UsedBytes(path)} bytes used: the test needs the file over its bound");

        clock.Advance(TimeSpan.FromMinutes(2));
        await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Counters.Pruned > 0), "nothing pruned");
        await Task.Delay(1500);

        // What is left is exactly the newest events, the count removed is exactly what went, and the file fits
        // its bound without having been emptied far below it (a tenth at a time).
        var kept = store.Events(null, null, null, null, null, 500);
        var (remaining, oldest) = Remaining(path);
        Assert.Equal($"e{Total - remaining:D5}", oldest);
        Assert.Equal(Total - remaining, store.Counters.Pruned);
        Assert.Equal(
            Enumerable.Range(Total - Math.Min(remaining, 500), Math.Min(remaining, 500)).Reverse().Select(n => $"e{n:D5}"),
            kept.Select(j => JsonDocument.Parse(j).RootElement.GetProperty("event_id").GetString()));
        var used = UsedBytes(path);
        Assert.InRange(used, options.MaxBytes * 3 / 4, options.MaxBytes);
        await store.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Agent_ReadOnlyDatabase_OneLineNamingTheFileAndDetectionGoesOn()
    {
        // A good database from an earlier run, then made unwritable. Root ignores permission bits, so as root the
        // file is made immutable (chattr +i), which stops root too.
        var database = _directory.Combine("readonly.db");
        using (var store = new EventStore(new StoreOptions { Path = database }, "dev1", NullLogger<EventStore>.Instance))
        {
            await store.StartAsync(CancellationToken.None);
            await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Available), "the store did not open");
            await store.StopAsync(CancellationToken.None);
        }

        using var readOnly = ReadOnlyFile.Make(database);
        Assert.ThrowsAny<UnauthorizedAccessException>(() => File.OpenWrite(database).Dispose());
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync($"--Store:Path={database}");
        await using var subscriber = await MosquittoSubscriber.StartAsync(agent.MqttPort, $"edgevision/{agent.Device}/sample/detections");
        Assert.True(agent.Process.WaitForOutput($"Store: the database {database} cannot be", Bound), agent.Process.Output);
        await subscriber.WaitForTopicAsync($"edgevision/{agent.Device}/sample/detections").WaitAsync(Bound);
        Assert.Single(agent.Process.Output.Split('\n'), l => l.Contains("Store: the database", StringComparison.Ordinal));
        Assert.Contains("readonly", agent.Process.Output, StringComparison.OrdinalIgnoreCase);

        using var http = agent.Client;
        using var stats = JsonDocument.Parse(await http.GetStringAsync("/api/stats"));
        Assert.False(stats.RootElement.GetProperty("store").GetProperty("available").GetBoolean());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/api/events")).StatusCode);
        Assert.False(agent.Process.HasExited);
    }

    [Fact]
    public async Task Agent_DiskFull_OneLineNamingTheFileAndDetectionGoesOn_NeedsRootToMountATmpfs()
    {
        // A real full disk: a 2 MB tmpfs holding a good database, the rest of it taken by a filler file.
        Assert.True(Environment.UserName == "root", "this test mounts a small tmpfs and must run as root (CI does)");
        var mount = _directory.Combine("full");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount);
        try
        {
            var database = Path.Combine(mount, "full.db");
            using (var store = new EventStore(new StoreOptions { Path = database }, "dev1", NullLogger<EventStore>.Instance))
            {
                await store.StartAsync(CancellationToken.None);
                await HttpSurfaceTests.Eventually(() => Task.FromResult(store.Available), "the store did not open");
                await store.StopAsync(CancellationToken.None);
            }

            using (var filler = new FileStream(Path.Combine(mount, "filler"), FileMode.Create))
            {
                var block = new byte[4096];
                try
                {
                    while (true)
                    {
                        filler.Write(block);
                        filler.Flush();
                    }
                }
                catch (IOException)
                {
                    // The disk is full: exactly what the test wants.
                }
            }

            await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync($"--Store:Path={database}");
            await using var subscriber = await MosquittoSubscriber.StartAsync(agent.MqttPort, $"edgevision/{agent.Device}/sample/detections");
            Assert.True(agent.Process.WaitForOutput($"Store: the database {database} cannot be", Bound), agent.Process.Output);
            await subscriber.WaitForTopicAsync($"edgevision/{agent.Device}/sample/detections").WaitAsync(Bound);
            Assert.Single(agent.Process.Output.Split('\n'), l => l.Contains("Store: the database", StringComparison.Ordinal));
            Assert.Contains("full", agent.Process.Output.Split('\n').Single(l => l.Contains("Store: the database", StringComparison.Ordinal)), StringComparison.Ordinal);
            using var stats = JsonDocument.Parse(await agent.Client.GetStringAsync("/api/stats"));
            Assert.False(stats.RootElement.GetProperty("store").GetProperty("available").GetBoolean());
            Assert.False(agent.Process.HasExited);
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: {error}");
    }

    private static long UsedBytes(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }

        return (Scalar("PRAGMA page_count") - Scalar("PRAGMA freelist_count")) * Scalar("PRAGMA page_size");
    }

    private static (int Count, string Oldest) Remaining(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), min(event_id) FROM events";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt32(0), reader.GetString(1));
    }

    /// <summary>A file nobody may write until disposed: immutable as root (chattr), read-only by mode otherwise.</summary>
    private sealed class ReadOnlyFile : IDisposable
    {
        private readonly string _path;
        private readonly bool _immutable;

        private ReadOnlyFile(string path, bool immutable)
        {
            _path = path;
            _immutable = immutable;
        }

        public static ReadOnlyFile Make(string path)
        {
            var immutable = Environment.UserName == "root";
            if (immutable)
            {
                Run("chattr", "+i", path);
            }
            else if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            return new ReadOnlyFile(path, immutable);
        }

        public void Dispose()
        {
            if (_immutable)
            {
                Run("chattr", "-i", _path);
            }
        }
    }

    private static List<string> Ids(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!).ToList();

    private static FrameDetections Frame(DateTimeOffset at, TrackEvent[] events, CountChange[] counts) =>
        new("yard", 1, at, 0, 1280, 720, "m", 1, 1, []) { Analytics = new FrameAnalytics([], events, counts) };

    private static TrackEvent Event(string id, DateTimeOffset at) => new()
    {
        EventId = id,
        ObjectId = id + "-object",
        Seq = 1,
        Type = TrackEventType.New,
        Changes = TrackChanges.None,
        Camera = "yard",
        TrackId = 1,
        Label = "person",
        Score = 0.9f,
        TopScore = 0.9f,
        FirstSeen = at,
        LastSeen = at,
        Box = new BoxF(1, 2, 3, 4),
        IsStationary = false,
        Colours = null,
        Speed = 0,
        SpeedClass = SpeedClass.Stationary,
        Direction = null,
        CurrentZones = [],
        EnteredZones = [],
        LineCrossings = [],
        ZoneDwellSeconds = new Dictionary<string, double>(),
        DwellSeconds = 0,
        BetterSnapshot = false,
    };

    /// <summary>A clock the test moves by hand; timestamps follow the wall time it shows.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
