using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.Tests.Analytics;

public sealed class ObjectTrackerTests
{
    private const string Camera = "gate";

    private readonly ObjectTracker _tracker = new(new TrackerOptions());
    private long _sequence;

    [Fact]
    public void Update_TwoPeopleCrossingPaths_KeepTheirIds()
    {
        // A walks right, B walks left, 100 px/s each at 10 fps (a quarter of a box width per frame), 10 px apart
        // vertically: they overlap almost fully at frame 20 and have swapped sides by frame 40.
        TrackingFrame frame = null!;
        var idOfA = 0;
        var idOfB = 0;
        for (var i = 0; i <= 40; i++)
        {
            frame = Step(i * 0.1, Person(100 + (10 * i), 200), Person(500 - (10 * i), 210));
            if (i == 1)
            {
                idOfA = IdAt(frame, 110);
                idOfB = IdAt(frame, 490);
            }
        }

        Assert.Equal([1, 2], new[] { idOfA, idOfB }.Order());
        Assert.Equal(idOfA, IdAt(frame, 500));
        Assert.Equal(idOfB, IdAt(frame, 100));
    }

    [Fact]
    public void Update_DetectionMissingHalfASecond_KeepsTheIdAndCoastsUndetected()
    {
        var time = 0.0;
        for (var i = 0; i < 10; i++, time += 0.1)
        {
            Step(time, Person(100 + (10 * i), 200));
        }

        TrackingFrame coasting = null!;
        for (var i = 10; i < 15; i++, time += 0.1)
        {
            coasting = Step(time);
        }

        var back = Step(time, Person(100 + (10 * 15), 200));

        var predicted = Assert.Single(coasting.Tracks);
        Assert.False(predicted.Detected);
        Assert.Equal(1, predicted.TrackId);
        Assert.Equal(240f, predicted.Box.X1, 5f);
        var resumed = Assert.Single(back.Tracks);
        Assert.Equal((1, true), (resumed.TrackId, resumed.Detected));
        Assert.Empty(back.EndedTrackIds);
    }

    [Fact]
    public void Update_DetectionMissingLongerThanTheBuffer_EndsTheTrackOnceAndStartsANewId()
    {
        Step(0.0, Person(100, 200));
        Step(0.1, Person(100, 200));

        var ended = new List<(double Time, int Id)>();
        for (var time = 0.2; time < 2.0; time += 0.1)
        {
            foreach (var id in Step(time).EndedTrackIds)
            {
                ended.Add((time, id));
            }
        }

        Step(2.0, Person(100, 200));
        var reborn = Step(2.1, Person(100, 200));

        // Last seen at 0.1 s, buffer 1.5 s: still kept at 1.6 s, ended on the first frame after it.
        var (endedAt, endedId) = Assert.Single(ended);
        Assert.Equal(1, endedId);
        Assert.Equal(1.7, endedAt, 1e-6);
        Assert.Equal(2, Assert.Single(reborn.Tracks).TrackId);
    }

    [Fact]
    public void Update_LowScoreDetections_KeepATrackAliveButNeverStartOne()
    {
        Step(0.0, Person(100, 200));
        Step(0.1, Person(104, 200));
        TrackingFrame weak = null!;
        for (var i = 2; i < 30; i++)
        {
            weak = Step(i * 0.1, Person(100 + (4 * i), 200, score: 0.3f), Person(600, 100, score: 0.4f));
        }

        var only = Assert.Single(weak.Tracks);
        Assert.Equal((1, true, 0.3f), (only.TrackId, only.Detected, only.Score));
        Assert.Equal(1, _tracker.TrackCount);
    }

    [Fact]
    public void Update_CarWhereAPersonWas_NeverTakesThePersonsTrack()
    {
        Step(0.0, Person(100, 200));
        Step(0.1, Person(100, 200));
        Step(0.2, Car(100, 200));
        var frame = Step(0.3, Car(100, 200));

        Assert.Collection(
            frame.Tracks.OrderBy(t => t.TrackId),
            person => Assert.Equal((1, 0, false), (person.TrackId, person.ClassId, person.Detected)),
            car => Assert.Equal((2, 2, true), (car.TrackId, car.ClassId, car.Detected)));
    }

    [Fact]
    public void Update_ObjectStopsMoving_BecomesStationaryAfterTheHoldAndNotBefore()
    {
        // Walks 1 s, then stands still. The filter's speed falls below 0.15 sizes/s some frames after the stop;
        // from then on it takes the 2 s hold before the flag turns on, and a walk off turns it off at once.
        var time = 0.0;
        for (var i = 0; i < 10; i++, time += 0.1)
        {
            Assert.False(Single(Step(time, Person(100 + (6 * i), 200))).IsStationary);
        }

        var flags = new List<bool>();
        for (var i = 0; i < 50; i++, time += 0.1)
        {
            flags.Add(Single(Step(time, Person(154, 200))).IsStationary);
        }

        var firstStationary = flags.IndexOf(true);
        Assert.InRange(firstStationary, 20, 30);
        Assert.DoesNotContain(false, flags.Skip(firstStationary));

        var moving = new List<bool>();
        for (var i = 1; i <= 10; i++, time += 0.1)
        {
            moving.Add(Single(Step(time, Person(154 + (8 * i), 200))).IsStationary);
        }

        Assert.False(moving[^1]);
    }

    [Fact]
    public void Update_TimeRunsBackwards_EndsEveryTrackAndCarriesOnCounting()
    {
        Step(5.0, Person(100, 200));
        Step(5.1, Person(100, 200));

        var restarted = Step(0.0, Person(100, 200));

        Assert.Equal([1], restarted.EndedTrackIds);
        Assert.Equal(2, Assert.Single(restarted.Tracks).TrackId);
    }

    [Fact]
    public void Update_SecondCamera_IsRefused()
    {
        Step(0.0, Person(100, 200));

        var error = Assert.Throws<ArgumentException>(
            () => _tracker.Update("yard", 1, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(0.1), 1280, 720, []));

        Assert.StartsWith("this tracker follows camera 'gate', not 'yard'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadOptions_ListsEveryBadOption()
    {
        var options = new TrackerOptions { LowScoreThreshold = 0.6f, ConfirmHits = 0, MovingSpeed = 0.1f };

        var error = Assert.Throws<ArgumentException>(() => new ObjectTracker(options));

        Assert.StartsWith(
            "tracker options are invalid: LowScoreThreshold: must not exceed HighScoreThreshold (0.5), found 0.6; "
            + "ConfirmHits: must be at least 1, found 0; MovingSpeed: must be finite and at least StationarySpeed (0.15), found 0.1",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Update_PersonReappearsBesideThePrediction_RecoveryKeepsTheId()
    {
        var hidden = WalkThenHide(_tracker, Step);

        // 80 px behind the predicted box (boxes are 40 × 100): no overlap, 0.8 box heights between centres.
        var back = Step(2.0, Person(hidden.Box.X1 - 80, 200));

        var recovered = Single(back);
        Assert.Equal((1, true), (recovered.TrackId, recovered.Detected));
        Assert.Empty(back.EndedTrackIds);
    }

    [Fact]
    public void Update_PersonReappearsBesideThePrediction_WithoutRecoveryTheTrackCoastsOn()
    {
        var tracker = new ObjectTracker(new TrackerOptions { RecoveryDistance = 0 });
        long sequence = 0;
        TrackingFrame Advance(double seconds, params Detection[] detections) =>
            tracker.Update(Camera, sequence++, DateTimeOffset.UnixEpoch.AddSeconds(seconds), TimeSpan.FromSeconds(seconds), 1280, 720, detections);
        var hidden = WalkThenHide(tracker, Advance);

        var back = Advance(2.0, Person(hidden.Box.X1 - 80, 200));

        var old = back.Tracks.Single(t => t.TrackId == 1);
        Assert.False(old.Detected);
    }

    [Fact]
    public void Update_DarkPersonStepsOutWhereAPaleOneIsHidden_ColourSignaturesKeepTheIdsApart()
    {
        var (withColours, withoutColours) = (StepOutOverHiddenWalker(useSignatures: true), StepOutOverHiddenWalker(useSignatures: false));

        // With signatures the pale walker keeps id 1 when she comes out and the dark stander gets his own id.
        Assert.Equal((1, 2), withColours);

        // Position alone hands her id to him, which is what the signatures are there to prevent.
        Assert.Equal(1, withoutColours.Stander);
        Assert.NotEqual(1, withoutColours.Walker);
    }

    /// <summary>
    /// A pale person walks left at 50 px/s for a second and is then hidden; at once a dark person, hidden until
    /// then, stands where she would be. 0.6 s later she comes out 30 px further left, still walking. Returns the
    /// ids held by the walker and the stander at the end.
    /// </summary>
    private static (int Walker, int Stander) StepOutOverHiddenWalker(bool useSignatures)
    {
        var tracker = new ObjectTracker(new TrackerOptions());
        var pale = Signature(new Scalar(250, 250, 250), new Scalar(160, 90, 40));
        var dark = Signature(new Scalar(20, 20, 20), new Scalar(25, 25, 25));
        TrackingFrame frame = null!;
        for (var i = 0; i < 20; i++)
        {
            var walker = Person(500 - (5 * i), 200);
            var stander = Person(452, 205);
            (Detection[] Boxes, float[][] Signatures) seen = i switch
            {
                < 10 => ([walker], [pale]),
                < 16 => ([stander], [dark]),
                _ => ([walker, stander], [pale, dark]),
            };

            frame = tracker.Update(Camera, i, DateTimeOffset.UnixEpoch.AddSeconds(i * 0.1), TimeSpan.FromSeconds(i * 0.1), 1280, 720, seen.Boxes, useSignatures ? seen.Signatures.SelectMany(v => v).ToArray() : []);
        }

        return (IdAt(frame, 405), IdAt(frame, 452));
    }

    /// <summary>The colour signature of a person box painted <paramref name="top"/> above the belt and <paramref name="bottom"/> below (BGR).</summary>
    private static float[] Signature(Scalar top, Scalar bottom)
    {
        using var image = new Mat(100, 40, MatType.CV_8UC3, bottom);
        image[new Rect(0, 0, 40, 52)].SetTo(top);
        var signature = new float[ColourNamer.DescriptorLength];
        Assert.True(new ColourNamer().Describe(image, new BoxF(0, 0, 40, 100), signature));
        return signature;
    }

    /// <summary>A person walks right at 100 px/s for a second, then goes undetected for 0.9 s; returns the coasting track.</summary>
    private static TrackSnapshot WalkThenHide(ObjectTracker tracker, Func<double, Detection[], TrackingFrame> step)
    {
        for (var i = 0; i < 10; i++)
        {
            step(i * 0.1, [Person(100 + (10 * i), 200)]);
        }

        TrackingFrame frame = null!;
        for (var i = 10; i < 20; i++)
        {
            frame = step(i * 0.1, []);
        }

        return Assert.Single(frame.Tracks);
    }

    private static Detection Person(float x, float y, float score = 0.8f) => new(0, "person", score, x, y, x + 40, y + 100);

    private static Detection Car(float x, float y) => new(2, "car", 0.8f, x, y, x + 40, y + 100);

    private static TrackSnapshot Single(TrackingFrame frame) => Assert.Single(frame.Tracks);

    private static int IdAt(TrackingFrame frame, float x1) =>
        frame.Tracks.Single(t => Math.Abs(t.Box.X1 - x1) < 1f).TrackId;

    private TrackingFrame Step(double seconds, params Detection[] detections) =>
        _tracker.Update(Camera, _sequence++, DateTimeOffset.UnixEpoch.AddSeconds(seconds), TimeSpan.FromSeconds(seconds), 1280, 720, detections);
}
