using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Motion;
using EdgeVision.Tests.Pipeline;
using Xunit.Abstractions;

namespace EdgeVision.Tests.Analytics;

/// <summary>
/// Label filters through the real pipeline on real video: the orange traffic cone at the left of vtest's path,
/// which NanoDet-g takes for a small person on many frames, masked out for "person" only.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class LabelFilterPipelineTests : IDisposable
{
    // Source pixels around where the cone stands (its false person box is about [163, 188, 179, 207]).
    private static readonly float[][] ConeMask = [[150f, 175f], [195f, 175f], [195f, 222f], [150f, 222f]];

    private readonly OnnxDetector _detector;
    private readonly ITestOutputHelper _output;
    private readonly TemporaryDirectory _directory = new();

    public LabelFilterPipelineTests(DetectorFixture fixture, ITestOutputHelper output)
    {
        _detector = fixture.Detector;
        _output = output;
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunAsync_PersonMaskOverTheCone_DropsExactlyThoseDetectionsAndKeepsEveryOtherOne()
    {
        // vtest frames 480–539 at 10 fps; every frame detected (motion gating off), so the two runs see the same frames.
        var clip = H264Videos.Clip(_directory.Path, firstFrame: 480, frames: 60);
        var plain = await RunAsync(clip, []);
        var filtered = await RunAsync(clip, new(StringComparer.Ordinal)
        {
            ["person"] = new LabelFilterOptions { Masks = [new MaskOptions { Points = [.. ConeMask], Normalized = false }] },
        });

        var atCone = PeopleAtTheCone(plain.Frames);
        _output.WriteLine($"unfiltered: {atCone} person detections stand at the cone over {plain.Frames.Count} frames; filtered: {filtered.Camera.FilteredDetections} dropped");
        Assert.Equal(60, plain.Camera.Detected);
        Assert.Equal(60, filtered.Camera.Detected);
        Assert.True(atCone >= 10, $"expected the cone to be taken for a person on many frames, found {atCone}");

        Assert.Equal(0, PeopleAtTheCone(filtered.Frames));
        Assert.Equal(atCone, filtered.Camera.FilteredDetections);
        Assert.DoesNotContain(filtered.Frames.SelectMany(f => f.Analytics!.Tracks), t => t.Label == "person" && StandsAtTheCone(t.Box));
        Assert.Equal(Elsewhere(plain.Frames), Elsewhere(filtered.Frames));
        Assert.Equal(0, plain.Camera.FilteredDetections);
    }

    private async Task<(IReadOnlyList<FrameDetections> Frames, CameraSnapshot Camera)> RunAsync(string clip, Dictionary<string, LabelFilterOptions> filters)
    {
        using var pipeline = DetectionPipeline.Create(_detector);
        var sink = new CollectingSink();
        var camera = new CameraOptions
        {
            Name = "path",
            Source = clip,
            Paced = false,
            Motion = new MotionOptions { Enabled = false },
            Analytics = new CameraAnalyticsOptions { Filters = filters },
        };

        await pipeline.RunAsync([camera], sink, CancellationToken.None);

        return (sink.Frames, Assert.Single(pipeline.Snapshot().Cameras));
    }

    private static int PeopleAtTheCone(IReadOnlyList<FrameDetections> frames) =>
        frames.Sum(f => f.Detections.Count(d => d.Label == "person" && StandsAtTheCone(new BoxF(d.X1, d.Y1, d.X2, d.Y2))));

    /// <summary>Every detection that does not stand at the cone, frame by frame.</summary>
    private static string[] Elsewhere(IReadOnlyList<FrameDetections> frames) =>
        frames.OrderBy(f => f.Sequence)
            .SelectMany(f => f.Detections
                .Where(d => d.Label != "person" || !StandsAtTheCone(new BoxF(d.X1, d.Y1, d.X2, d.Y2)))
                .Select(d => FormattableString.Invariant($"{f.Sequence} {d.Label} {d.X1:F1} {d.Y1:F1} {d.X2:F1} {d.Y2:F1}")))
            .ToArray();

    private static bool StandsAtTheCone(BoxF box)
    {
        var x = (box.X1 + box.X2) / 2;
        return x is >= 150 and <= 195 && box.Y2 is >= 175 and <= 222;
    }
}
