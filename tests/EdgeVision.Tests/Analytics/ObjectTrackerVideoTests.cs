using System.Text.Json;
using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.Analytics;

/// <summary>The real NanoDet-g on the CPU and the tracker over frames 0–300 of vtest.avi, against hand-checked people.</summary>
public sealed class ObjectTrackerVideoTests
{
    private const float LabelMatchIou = 0.3f;

    [Fact]
    public void Update_VtestPeopleWithColourSignatures_CountWithin20PercentAndEveryPersonKeepsOneId()
    {
        var fixture = VtestPeople.Load(Path.Combine(RepositoryPaths.Fixtures, "tracking", "vtest-people.json"));
        var labelledFrames = fixture.People.SelectMany(p => p.Boxes).Select(b => b.Frame).ToHashSet();
        var tracksAtLabelledFrames = new Dictionary<int, TrackSnapshot[]>();
        var personLife = new Dictionary<int, (TimeSpan First, TimeSpan Last)>();

        // The detector keeps scores down to the tracker's low threshold so that its second stage has input.
        using var detector = OnnxDetector.Create(
            ModelCatalog.Default.Load("nanodet-g-416"),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.1f, MaxBatchSize = 1 });
        var tracker = new ObjectTracker(new TrackerOptions());
        var colours = new ColourNamer(CameraAnalytics.SignatureSamplesPerBand);
        using var capture = new VideoCapture(RepositoryPaths.VtestVideo);
        using var image = new Mat();
        using var scaled = new Mat();
        for (var index = 0; index <= fixture.LastFrame && capture.Read(image) && !image.Empty(); index++)
        {
            if (index < fixture.FirstFrame)
            {
                continue;
            }

            var timestamp = TimeSpan.FromSeconds(index / fixture.FramesPerSecond);
            var detections = detector.Detect(image);
            var signatures = new float[detections.Length * ColourNamer.DescriptorLength];
            // As in the agent: signatures from the frame scaled as the detector saw it.
            var transform = LetterboxTransform.For(image.Width, image.Height, 416, 416);
            Cv2.Resize(image, scaled, new Size(transform.ScaledWidth, transform.ScaledHeight));
            colours.Describe(scaled, detections, transform.Scale, signatures);

            var frame = tracker.Update("vtest", index, DateTimeOffset.UnixEpoch + timestamp, timestamp, image.Width, image.Height, detections, signatures);
            foreach (var track in frame.Tracks)
            {
                if (track.Label == "person")
                {
                    personLife[track.TrackId] = personLife.TryGetValue(track.TrackId, out var life) ? (life.First, timestamp) : (timestamp, timestamp);
                }
            }

            if (labelledFrames.Contains(index))
            {
                tracksAtLabelledFrames[index] = frame.Tracks.Where(t => t.Label == "person" && t.Detected).ToArray();
            }
        }

        var report = new List<string>();
        var failures = new List<string>();
        foreach (var person in fixture.People)
        {
            var ids = new List<int>();
            foreach (var (frameIndex, box) in person.Boxes)
            {
                var best = tracksAtLabelledFrames[frameIndex].MaxBy(t => t.Box.IntersectionOverUnion(box));
                if (best is not null && best.Box.IntersectionOverUnion(box) >= LabelMatchIou)
                {
                    ids.Add(best.TrackId);
                }
            }

            var mainIdShare = ids.Count == 0 ? 0 : ids.GroupBy(id => id).Max(g => g.Count()) / (double)ids.Count;
            report.Add($"{person.Name}: ids [{string.Join(",", ids)}] over {person.Boxes.Count} labelled frames, main id {mainIdShare:P0}");
            if (ids.Count < person.Boxes.Count / 2 || mainIdShare < 0.9)
            {
                failures.Add(person.Name);
            }
        }

        // Confirmed person tracks that lasted at least a second, coasting included.
        var counted = personLife.Count(p => p.Value.Last - p.Value.First >= TimeSpan.FromSeconds(1));
        report.Add($"{counted} person tracks of 1 s or more against {fixture.DistinctPeople} people counted by hand");
        // Every labelled person, including the one in the pale hooded jacket whom a man stepping out from behind the
        // sign overlaps at frames 150–157: position alone gave him her id; the colour signatures keep them apart.
        Assert.True(failures.Count == 0, $"one id for under 90 % of labelled frames: {string.Join(", ", failures)}; {string.Join("; ", report)}");
        Assert.InRange(counted, (int)Math.Floor(fixture.DistinctPeople * 0.8), (int)Math.Ceiling(fixture.DistinctPeople * 1.2));
    }

    private sealed record VtestPeople(int FirstFrame, int LastFrame, double FramesPerSecond, int DistinctPeople, IReadOnlyList<LabelledPerson> People)
    {
        public static VtestPeople Load(string path)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var people = root.GetProperty("people").EnumerateArray().Select(person => new LabelledPerson(
                person.GetProperty("name").GetString()!,
                person.GetProperty("boxes").EnumerateArray().Select(entry =>
                {
                    var box = entry.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                    return (entry.GetProperty("frame").GetInt32(), new BoxF(box[0], box[1], box[2], box[3]));
                }).ToArray())).ToArray();
            return new VtestPeople(
                root.GetProperty("firstFrame").GetInt32(),
                root.GetProperty("lastFrame").GetInt32(),
                root.GetProperty("framesPerSecond").GetDouble(),
                root.GetProperty("distinctPeople").GetInt32(),
                people);
        }
    }

    private sealed record LabelledPerson(string Name, IReadOnlyList<(int Frame, BoxF Box)> Boxes);
}
