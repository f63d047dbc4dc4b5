using EdgeVision.Models;
using EdgeVision.ModelTools;
using EdgeVision.ModelTools.Evaluation;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.ModelTools;

/// <summary>The labelled-set reader and the VOC-style scoring behind <c>edgevision evaluate</c>.</summary>
public sealed class GroundTruthScorerTests
{
    private const string Labels = """
        {
          "classes": ["person", "vehicle"],
          "model_labels": { "person": ["person"], "vehicle": ["car", "truck", "bus", "motorcycle"] },
          "frames": [
            { "source": "clip", "frame": 412, "file": null, "width": 640, "height": 480, "objects": [
              { "label": "person", "box": [100, 100, 140, 200], "difficult": false },
              { "label": "person", "box": [300, 100, 340, 200], "difficult": false },
              { "label": "person", "box": [500, 100, 510, 112], "difficult": true },
              { "label": "vehicle", "box": [10, 300, 210, 420] }
            ] },
            { "source": "photos", "frame": 0, "file": "street/corner.jpg", "width": 640, "height": 480, "objects": [] }
          ]
        }
        """;

    [Fact]
    public void Load_LabelsFile_ReadsFramesObjectsAndImageNames()
    {
        var set = Load(Labels);

        Assert.Equal(["person", "vehicle"], set.Classes);
        Assert.Equal(["clip_000412.png", "photos_corner.png"], set.Frames.Select(f => f.ImageName));
        Assert.Equal(4, set.Frames[0].Objects.Count);
        Assert.True(set.Frames[0].Objects[2].Difficult);
        Assert.False(set.Frames[0].Objects[3].Difficult);
        Assert.Equal("vehicle", set.ClassOf("truck"));
        Assert.Equal("person", set.ClassOf("person"));
        Assert.Null(set.ClassOf("dog"));
    }

    [Theory]
    [InlineData("\"label\": \"person\", \"box\": [100, 100, 140, 200]", "\"label\": \"cyclist\", \"box\": [100, 100, 140, 200]", "'cyclist', which is not one of the classes")]
    [InlineData("[100, 100, 140, 200]", "[140, 100, 100, 200]", "x2 > x1")]
    [InlineData("\"classes\"", "\"klasses\"", "not a labels file")]
    public void Load_BrokenFile_OneLineNamingTheProblem(string from, string to, string expected)
    {
        var error = Assert.Throws<ToolInputException>(() => Load(Labels.Replace(from, to, StringComparison.Ordinal)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Score_HitsDuplicatesDifficultAndFalseAlarms_CountedAsVocDoes()
    {
        var set = Load(Labels);
        var scorer = new GroundTruthScorer(set.Classes, set.ClassOf);
        scorer.Add(set.Frames[0], [
            Person(0.9f, 102, 98, 141, 203), // hit on the first person
            Person(0.8f, 98, 102, 139, 198), // the same person again: a duplicate, false
            Person(0.7f, 499, 99, 511, 113), // the difficult one: neither hit nor false
            new Detection(2, "car", 0.6f, 12, 305, 205, 418), // counts as vehicle: hit
            new Detection(16, "dog", 0.95f, 300, 100, 340, 200), // no class of the set: ignored
            Person(0.5f, 400, 300, 440, 400), // nobody there: false
        ]);
        scorer.Add(set.Frames[1], [Person(0.4f, 10, 10, 50, 100)]);

        var person = scorer.Score("person", 0.75f);
        Assert.Equal((2, 2, 1), (person.Labelled, person.Detected, person.Hits));
        Assert.Equal(0.5, person.Precision);
        Assert.Equal(0.5, person.Recall);

        // Ranked: 0.9 hit, 0.8 false, 0.5 false, 0.4 false; recall reaches 1/2 at precision 1 and never more.
        Assert.Equal(0.5, person.AveragePrecision, 1e-9);

        var vehicle = scorer.Score("vehicle", 0.35f);
        Assert.Equal((1, 1, 1, 1.0), (vehicle.Labelled, vehicle.Detected, vehicle.Hits, vehicle.AveragePrecision));
    }

    [Fact]
    public void Score_LowerScoredHitAfterFalseAlarms_AveragePrecisionUsesMonotonePrecision()
    {
        var set = Load(Labels);
        var scorer = new GroundTruthScorer(set.Classes, set.ClassOf);
        scorer.Add(set.Frames[0], [
            Person(0.9f, 400, 300, 440, 400), // false
            Person(0.8f, 100, 100, 140, 200), // hit: recall 1/2 at precision 1/2
            Person(0.7f, 300, 100, 340, 200), // hit: recall 1 at precision 2/3
        ]);

        // The envelope lifts the first half's precision to 2/3: AP = ½·⅔ + ½·⅔.
        Assert.Equal(2.0 / 3, scorer.Score("person", 0.5f).AveragePrecision, 1e-9);
    }

    [Fact]
    public void RepositoryLabels_FortyFourFramesFromThreeSources_VtestOnlyPastCalibration()
    {
        var set = LabelledSet.Load(Path.Combine(RepositoryPaths.Root, "evaluation", "labels.json"));

        Assert.Equal(44, set.Frames.Count);
        Assert.Equal(["face-api", "opencv-doc", "vtest"], set.Frames.Select(f => f.Source).Distinct().Order());
        // The INT8 model was calibrated on vtest frames 0–396 (scripts/build-models.sh); none of those is scored.
        Assert.All(set.Frames.Where(f => f.Source == "vtest"), f => Assert.InRange(f.Frame, 400, 794));
        Assert.All(set.Frames.SelectMany(f => f.Objects.Select(o => (f, o))), x =>
        {
            Assert.InRange(x.o.X1, 0, x.o.X2 - 1);
            Assert.InRange(x.o.Y1, 0, x.o.Y2 - 1);
            Assert.InRange(x.o.X2, x.o.X1 + 1, x.f.Width);
            Assert.InRange(x.o.Y2, x.o.Y1 + 1, x.f.Height);
        });

        // The counts the README's comparison table is headed with.
        var counted = set.Frames.SelectMany(f => f.Objects).Where(o => !o.Difficult).ToList();
        Assert.Equal(214, counted.Count(o => o.Label == "person"));
        Assert.Equal(70, counted.Count(o => o.Label == "vehicle"));
        Assert.Equal(set.Frames.Count, set.Frames.Select(f => f.ImageName).Distinct().Count());
    }

    private static Detection Person(float score, float x1, float y1, float x2, float y2) => new(0, "person", score, x1, y1, x2, y2);

    private static LabelledSet Load(string json)
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "labels.json");
        File.WriteAllText(path, json);
        return LabelledSet.Load(path);
    }
}
