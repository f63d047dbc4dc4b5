using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class EventBuilderTests
{
    // The porch is x 100–500, y 100–500; the door is the vertical line x = 800 drawn upwards (left to right = in).
    private static CameraAnalyticsOptions Options(string mode = CameraAnalyticsOptions.TrackMode) => new()
    {
        Mode = mode,
        Zones = [new ZoneOptions { Name = "porch", Points = [[100, 100], [500, 100], [500, 500], [100, 500]] }],
        Lines = mode == CameraAnalyticsOptions.TrackMode ? [new LineOptions { Name = "door", A = [800, 1000], B = [800, 0] }] : [],
    };

    private static (List<TrackEvent> Events, List<CountChange> Counts) Run(EventBuilder builder, IEnumerable<TrackingFrame> frames)
    {
        var events = new List<TrackEvent>();
        var counts = new List<CountChange>();
        foreach (var frame in frames)
        {
            builder.Process(frame, events, counts);
        }

        return (events, counts);
    }

    /// <summary>Track 1 walks from the frame edge into the porch, out again and through the door, then ends.</summary>
    private static IEnumerable<TrackingFrame> PorchThenDoor()
    {
        var frame = 0;
        for (var x = 20f; x <= 1000; x += 20)
        {
            yield return SyntheticScene.Frame(frame++, [SyntheticScene.Object(1, x, 300)]);
        }

        yield return SyntheticScene.Frame(frame, [], 1);
    }

    [Fact]
    public void Process_TrackThroughZoneAndLine_EmitsNewUpdatesEndInOrder()
    {
        var (events, _) = Run(new EventBuilder("yard", Options()), PorchThenDoor());

        // The walk starts with the box cut by the frame's edge, so the first clear view (a better snapshot)
        // rides on entering the porch.
        Assert.Equal(
            [
                (TrackEventType.New, TrackChanges.None, "", ""),
                (TrackEventType.Update, TrackChanges.EnteredZone | TrackChanges.BetterSnapshot, "porch", "porch"),
                (TrackEventType.Update, TrackChanges.LeftZone, "", "porch"),
                (TrackEventType.Update, TrackChanges.CrossedLine, "", "porch"),
                (TrackEventType.End, TrackChanges.None, "", "porch"),
            ],
            events.Select(e => (e.Type, e.Changes, string.Join(",", e.CurrentZones), string.Join(",", e.EnteredZones))));

        // x = 100 at frame 4 is on the edge; inside from frame 4, confirmed on frame 6; outside from x = 520 (frame 25).
        Assert.Equal(SyntheticScene.Start + SyntheticScene.TimeOf(6), events[1].LastSeen);
        Assert.Equal(2.1, events[^1].ZoneDwellSeconds["porch"], 9);
        Assert.Equal(4.9, events[^1].DwellSeconds, 9);
        var crossing = Assert.Single(events[^1].LineCrossings);
        Assert.Equal(new LineCrossing("door", CrossingDirection.In, "person", SyntheticScene.Start + SyntheticScene.TimeOf(40)), crossing);
    }

    [Fact]
    public void Process_WalkingInsideOneZoneForAHundredFrames_EmitsOnlyNewAndEnd()
    {
        var frames = Enumerable.Range(0, 100)
            .Select(i => SyntheticScene.Frame(i, [SyntheticScene.Object(7, 150 + i * 3, 200 + (i % 5), velocityX: 30)]))
            .Append(SyntheticScene.Frame(100, [], 7));

        var (events, _) = Run(new EventBuilder("yard", Options()), frames);

        Assert.Equal([TrackEventType.New, TrackEventType.End], events.Select(e => e.Type));
        Assert.Equal(["porch"], events[0].CurrentZones);
        Assert.Equal(9.9, events[1].ZoneDwellSeconds["porch"], 9);
    }

    [Fact]
    public void Process_InterleavedTracks_SeqHasNoGapsObjectIdsFollowTracksEventIdsUnique()
    {
        var frames = new List<TrackingFrame>();
        for (var i = 0; i < 60; i++)
        {
            var tracks = new List<TrackSnapshot>();
            if (i < 50)
            {
                tracks.Add(SyntheticScene.Object(1, 20 + i * 20, 300));
            }

            if (i >= 10)
            {
                tracks.Add(SyntheticScene.Object(2, 1000 - (i - 10) * 20, 600));
            }

            frames.Add(SyntheticScene.Frame(i, tracks, i == 50 ? [1] : []));
        }

        frames.Add(SyntheticScene.Frame(60, [], 2));

        var (events, _) = Run(new EventBuilder("yard", Options()), frames);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        var byTrack = events.GroupBy(e => e.TrackId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal([1, 2], byTrack.Keys.Order());
        Assert.All(byTrack.Values, list => Assert.Single(list.Select(e => e.ObjectId).Distinct()));
        Assert.NotEqual(byTrack[1][0].ObjectId, byTrack[2][0].ObjectId);
        var objectOfTrack2 = $"yard-2-{(SyntheticScene.Start + SyntheticScene.TimeOf(10)).UtcTicks}";
        Assert.Equal(objectOfTrack2, byTrack[2][0].ObjectId);

        // Every message has its own id: the object's, numbered from 1 ("new").
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(byTrack[2].Select((_, n) => $"{objectOfTrack2}-{n + 1}"), byTrack[2].Select(e => e.EventId));
        Assert.All(byTrack.Values, list =>
        {
            Assert.Equal(TrackEventType.New, list[0].Type);
            Assert.Equal(TrackEventType.End, list[^1].Type);
            Assert.All(list.Skip(1).SkipLast(1), e => Assert.Equal(TrackEventType.Update, e.Type));
        });
        Assert.Equal(CrossingDirection.Out, Assert.Single(byTrack[2][^1].LineCrossings).Direction);
    }

    [Fact]
    public void Process_StationaryStateChanges_EmitsUpdateEachWay()
    {
        var frames = Enumerable.Range(0, 30)
            .Select(i => SyntheticScene.Frame(i, [SyntheticScene.Object(3, 900, 900, stationary: i is >= 10 and < 20)]));

        var (events, _) = Run(new EventBuilder("yard", Options()), frames);

        Assert.Equal(
            [(TrackEventType.New, TrackChanges.None, false), (TrackEventType.Update, TrackChanges.StationaryChanged, true), (TrackEventType.Update, TrackChanges.StationaryChanged, false)],
            events.Select(e => (e.Type, e.Changes, e.IsStationary)));
    }

    [Fact]
    public void Process_LabelChanges_EmitsUpdateAndMovesTheCount()
    {
        var frames = Enumerable.Range(0, 4)
            .Select(i => SyntheticScene.Frame(i, [SyntheticScene.Object(3, 900, 900, label: i < 2 ? "dog" : "cat")]));

        var (events, counts) = Run(new EventBuilder("yard", Options()), frames);

        Assert.Equal([TrackChanges.None, TrackChanges.LabelChanged], events.Select(e => e.Changes));
        Assert.Equal("cat", events[1].Label);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "all", "dog", null, 0), counts);
        Assert.Contains(new CountChange("yard", CountKind.Occupancy, "all", "cat", null, 1), counts);
    }

    [Fact]
    public void Process_ViewGrowsByMoreThanTheMargin_FlagsBetterSnapshotAtMostOncePerInterval()
    {
        // Height grows 10 px per frame from 100: area grows by ~20 % per frame, so the 25 % margin is beaten
        // every other frame, but a snapshot-only update may go out once per second (10 frames).
        var frames = Enumerable.Range(0, 25)
            .Select(i => SyntheticScene.Frame(i, [SyntheticScene.Object(4, 900, 900, height: 100 + i * 10)]));

        var (events, _) = Run(new EventBuilder("yard", Options()), frames);

        Assert.Equal(
            [(0L, true), (10L, true), (20L, true)],
            events.Select(e => ((long)Math.Round((e.LastSeen - SyntheticScene.Start).TotalMilliseconds / 100), e.BetterSnapshot)));
        Assert.Equal([TrackChanges.None, TrackChanges.BetterSnapshot, TrackChanges.BetterSnapshot], events.Select(e => e.Changes));
    }

    [Fact]
    public void Process_BelowCameraMinScoreUntilTheFifthFrame_NewComesOnTheFifthFrame()
    {
        var options = Options();
        options.MinScore = 0.6f;
        var frames = Enumerable.Range(0, 8)
            .Select(i => SyntheticScene.Frame(i, [SyntheticScene.Object(5, 900, 900, score: i == 4 ? 0.7f : 0.5f)]));

        var (events, counts) = Run(new EventBuilder("yard", options), frames);

        var created = Assert.Single(events);
        Assert.Equal(SyntheticScene.Start + SyntheticScene.TimeOf(4), created.FirstSeen);
        Assert.Equal(0.7f, created.TopScore);
        Assert.Equal(0.7f, created.Score);
        Assert.Equal(
            [new CountChange("yard", CountKind.Occupancy, "all", "all", null, 1), new CountChange("yard", CountKind.Occupancy, "all", "person", null, 1)],
            counts.Where(c => c.Value > 0));
    }

    [Fact]
    public void Process_LabelOutsideTheCameraFilter_IsIgnored()
    {
        var options = Options();
        options.Labels = ["car"];

        var (events, counts) = Run(new EventBuilder("yard", options), PorchThenDoor());

        Assert.Empty(events);
        Assert.All(counts, c => Assert.Equal(0, c.Value));
    }

    [Fact]
    public void Process_TrackDroppedWithoutEnd_EndsIt()
    {
        var frames = new[]
        {
            SyntheticScene.Frame(0, [SyntheticScene.Object(6, 900, 900)]),
            SyntheticScene.Frame(1, [SyntheticScene.Object(6, 900, 900)]),
            SyntheticScene.Frame(2, []),
        };

        var (events, _) = Run(new EventBuilder("yard", Options()), frames);

        Assert.Equal([TrackEventType.New, TrackEventType.End], events.Select(e => e.Type));
        Assert.Equal(SyntheticScene.Start + SyntheticScene.TimeOf(1), events[1].LastSeen);
    }

    [Fact]
    public void Process_FirstFrame_ReportsEveryConfiguredCountOnce()
    {
        var (_, counts) = Run(new EventBuilder("yard", Options()), [SyntheticScene.Frame(0, [])]);

        Assert.Equal(
            [
                new CountChange("yard", CountKind.Occupancy, "all", "all", null, 0),
                new CountChange("yard", CountKind.Occupancy, "porch", "all", null, 0),
                new CountChange("yard", CountKind.Crossings, "door", "all", CrossingDirection.In, 0),
                new CountChange("yard", CountKind.Crossings, "door", "all", CrossingDirection.Out, 0),
            ],
            counts);
    }

    [Fact]
    public void Process_UnchangedScene_ReportsNoCounts()
    {
        var builder = new EventBuilder("yard", Options());
        Run(builder, [SyntheticScene.Frame(0, [SyntheticScene.Object(1, 300, 300)])]);

        var (events, counts) = Run(builder, Enumerable.Range(1, 20).Select(i => SyntheticScene.Frame(i, [SyntheticScene.Object(1, 300, 300)])));

        Assert.Empty(events);
        Assert.Empty(counts);
    }

    [Fact]
    public void Process_DetectOnlyMode_CountsWithoutEvents()
    {
        var builder = new EventBuilder("yard", Options(CameraAnalyticsOptions.DetectOnlyMode));

        var (events, counts) = Run(builder, [SyntheticScene.Frame(0, [SyntheticScene.Object(1, 300, 300), SyntheticScene.Object(2, 900, 900, label: "car")])]);

        Assert.Empty(events);
        Assert.Equal(
            [
                new CountChange("yard", CountKind.Occupancy, "all", "all", null, 2),
                new CountChange("yard", CountKind.Occupancy, "porch", "all", null, 1),
                new CountChange("yard", CountKind.Occupancy, "all", "person", null, 1),
                new CountChange("yard", CountKind.Occupancy, "porch", "person", null, 1),
                new CountChange("yard", CountKind.Occupancy, "all", "car", null, 1),
            ],
            counts);
    }

    [Fact]
    public void Summarize_TwoPeopleOnePorch_CountsByLabelAndZone()
    {
        var builder = new EventBuilder("yard", Options());
        Run(builder, [SyntheticScene.Frame(0, [SyntheticScene.Object(1, 300, 300), SyntheticScene.Object(2, 900, 900), SyntheticScene.Object(3, 950, 900, label: "car")])]);

        var summary = builder.Summarize(SyntheticScene.Start);

        Assert.Equal(new Dictionary<string, int> { ["person"] = 2, ["car"] = 1 }, summary.InView);
        Assert.Equal(new Dictionary<string, int> { ["person"] = 1 }, summary.Zones["porch"]);
        Assert.Equal(0, summary.Crossings["door"][CrossingDirection.In]);
    }

    [Fact]
    public void Process_ReplayingTheEvents_GivesTheSameCountsAsTheCountChanges()
    {
        // Twelve tracks wander with a fixed seed through the porch and across the door, some reclassified on the way.
        var random = new Random(20260301);
        var positions = new Dictionary<int, (float X, float Y)>();
        var builder = new EventBuilder("yard", Options());
        var live = new Dictionary<int, TrackEvent>();
        var crossings = new Dictionary<(string, string, CrossingDirection), int>();
        var published = new Dictionary<(CountKind, string, string, CrossingDirection?), int>();
        var nextId = 1;

        for (var f = 0; f < 600; f++)
        {
            var ended = new List<int>();
            if (positions.Count < 6 && nextId <= 12 && random.Next(10) == 0)
            {
                positions[nextId++] = (random.Next(50, 1100), random.Next(150, 900));
            }

            foreach (var id in positions.Keys.ToList())
            {
                if (random.Next(120) == 0)
                {
                    positions.Remove(id);
                    ended.Add(id);
                    continue;
                }

                var (x, y) = positions[id];
                positions[id] = (Math.Clamp(x + random.Next(-30, 45), 0, 1900), Math.Clamp(y + random.Next(-25, 26), 120, 1000));
            }

            var tracks = positions.Select(p => SyntheticScene.Object(p.Key, p.Value.X, p.Value.Y, label: (p.Key + f / 200) % 3 == 0 ? "dog" : "person")).ToList();
            var events = new List<TrackEvent>();
            var counts = new List<CountChange>();
            builder.Process(SyntheticScene.Frame(f, tracks, [.. ended]), events, counts);

            foreach (var e in events)
            {
                if (e.Type == TrackEventType.End)
                {
                    live.Remove(e.TrackId);
                }
                else
                {
                    live[e.TrackId] = e;
                }
            }

            foreach (var c in counts)
            {
                published[(c.Kind, c.Area, c.Label, c.Direction)] = c.Value;
            }

            var replayed = new Dictionary<(CountKind, string, string, CrossingDirection?), int>();
            foreach (var e in live.Values)
            {
                foreach (var area in e.CurrentZones.Append("all"))
                {
                    foreach (var label in new[] { e.Label, "all" })
                    {
                        replayed[(CountKind.Occupancy, area, label, null)] = replayed.GetValueOrDefault((CountKind.Occupancy, area, label, null)) + 1;
                    }
                }
            }

            foreach (var e in events.Where(e => e.Changes.HasFlag(TrackChanges.CrossedLine)))
            {
                var previous = e.LineCrossings.Count - 1;
                var newest = e.LineCrossings[previous];
                foreach (var label in new[] { newest.Label, "all" })
                {
                    crossings[(newest.Line, label, newest.Direction)] = crossings.GetValueOrDefault((newest.Line, label, newest.Direction)) + 1;
                }
            }

            foreach (var ((line, label, direction), value) in crossings)
            {
                replayed[(CountKind.Crossings, line, label, direction)] = value;
            }

            var nonZeroPublished = published.Where(p => p.Value != 0).ToDictionary();
            Assert.Equal(replayed.OrderBy(p => p.Key.ToString()), nonZeroPublished.OrderBy(p => p.Key.ToString()));
        }

        Assert.True(crossings.Count > 0, "the walk should cross the door at least once");
        Assert.True(published.Any(p => p.Key.Item2 == "porch" && p.Key.Item3 == "dog"), "the walk should bring a dog onto the porch");
    }

    [Fact]
    public void Process_TwentyObjectsWithNothingToReport_AllocatesNothing()
    {
        var builder = new EventBuilder("yard", Options());
        var frames = Enumerable.Range(0, 200)
            .Select(f => SyntheticScene.Frame(f, Enumerable.Range(1, 20).Select(id => SyntheticScene.Object(id, 120 + id * 15, 200 + id * 10)).ToArray()))
            .ToArray();
        var events = new List<TrackEvent>(64);
        var counts = new List<CountChange>(64);
        for (var f = 0; f < 100; f++)
        {
            builder.Process(frames[f], events, counts);
        }

        events.Clear();
        counts.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var f = 100; f < 200; f++)
        {
            builder.Process(frames[f], events, counts);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(events);
        Assert.Empty(counts);
        Assert.Equal(0, allocated);
    }
}
