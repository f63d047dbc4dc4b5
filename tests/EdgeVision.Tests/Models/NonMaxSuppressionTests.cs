using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

public sealed class NonMaxSuppressionTests
{
    private readonly NonMaxSuppression _nms = new(iouThreshold: 0.6f, maxDetections: 100);

    [Fact]
    public void Apply_SameClassOverlapAboveThreshold_KeepsTheHigherScore()
    {
        // IoU of (0,0,100,100) and (10,0,110,100) = 9000 / 11000 = 0.82.
        Detection[] candidates = [Box(0, 0.7f, 10, 0, 110, 100), Box(0, 0.9f, 0, 0, 100, 100)];

        var kept = _nms.Apply(candidates);

        Assert.Equal([Box(0, 0.9f, 0, 0, 100, 100)], kept);
    }

    [Fact]
    public void Apply_SameClassOverlapBelowThreshold_KeepsBoth()
    {
        // IoU of (0,0,100,100) and (50,0,150,100) = 5000 / 15000 = 0.33.
        Detection[] candidates = [Box(0, 0.9f, 0, 0, 100, 100), Box(0, 0.8f, 50, 0, 150, 100)];

        Assert.Equal(2, _nms.Apply(candidates).Length);
    }

    [Fact]
    public void Apply_DifferentClassesOnTheSameBox_KeepsEach()
    {
        Detection[] candidates = [Box(0, 0.9f, 0, 0, 100, 100), Box(2, 0.5f, 0, 0, 100, 100)];

        var kept = _nms.Apply(candidates);

        Assert.Equal([0, 2], kept.Select(d => d.ClassId));
    }

    [Fact]
    public void Apply_UnorderedCandidates_ReturnsHighestScoreFirst()
    {
        Detection[] candidates = [Box(0, 0.4f, 0, 0, 10, 10), Box(0, 0.95f, 100, 0, 110, 10), Box(0, 0.6f, 200, 0, 210, 10)];

        var kept = _nms.Apply(candidates);

        Assert.Equal([0.95f, 0.6f, 0.4f], kept.Select(d => d.Score));
    }

    [Fact]
    public void Apply_MoreSurvivorsThanMaxDetections_KeepsTheBestOnes()
    {
        var nms = new NonMaxSuppression(0.6f, maxDetections: 3);
        var candidates = Enumerable.Range(0, 10).Select(i => Box(0, i / 10f, i * 20, 0, i * 20 + 10, 10)).ToArray();

        var kept = nms.Apply(candidates);

        Assert.Equal([0.9f, 0.8f, 0.7f], kept.Select(d => d.Score));
    }

    [Fact]
    public void Apply_CallerList_IsReplacedNotAppended()
    {
        var kept = new List<Detection> { Box(5, 1f, 0, 0, 1, 1) };

        _nms.Apply([Box(0, 0.9f, 0, 0, 100, 100)], kept);

        Assert.Equal([Box(0, 0.9f, 0, 0, 100, 100)], kept);
    }

    [Fact]
    public void Apply_ResultOfEarlierCall_IsNotChangedByALaterOne()
    {
        var first = _nms.Apply([Box(0, 0.9f, 0, 0, 100, 100)]);

        _nms.Apply([Box(1, 0.5f, 5, 5, 50, 50), Box(1, 0.4f, 200, 5, 250, 50)]);

        Assert.Equal([Box(0, 0.9f, 0, 0, 100, 100)], first);
    }

    [Fact]
    public void Apply_MoreCandidatesThanInitialBuffer_SuppressesAcrossAll()
    {
        // 1000 copies of one box at falling scores: only the first survives.
        var candidates = Enumerable.Range(0, 1000).Select(i => Box(0, 1f - i / 2000f, 0, 0, 50, 50)).ToArray();

        var kept = _nms.Apply(candidates);

        Assert.Equal([1f], kept.Select(d => d.Score));
    }

    [Fact]
    public void IntersectionOverUnion_TouchingBoxes_IsZero()
    {
        Assert.Equal(0f, NonMaxSuppression.IntersectionOverUnion(Box(0, 1f, 0, 0, 10, 10), Box(0, 1f, 10, 0, 20, 10)));
    }

    [Fact]
    public void Apply_ClassesInOneGroup_TheBetterScoredOfTwoOverlappingBoxesIsKeptUnderItsOwnLabel()
    {
        // Classes 2 and 7 ("car" and "truck" in COCO) are one group; class 0 stays alone.
        var nms = new NonMaxSuppression(0.6f, 100, NonMaxSuppression.GroupsOf(["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck"], [["car", "truck", "bus"]]));
        Detection[] candidates =
        [
            Box(2, 0.49f, 649, 45, 723, 99), // the van as a car
            Box(7, 0.48f, 650, 44, 722, 99), // and as a truck
            Box(0, 0.45f, 650, 44, 722, 99), // a person on the same box is another kind of thing
            Box(7, 0.70f, 100, 40, 200, 100), // a truck elsewhere
            Box(5, 0.60f, 300, 40, 400, 100), // a bus beside it
        ];

        var kept = nms.Apply(candidates);

        Assert.Equal([(7, 0.70f), (5, 0.60f), (2, 0.49f), (0, 0.45f)], kept.Select(d => (d.ClassId, d.Score)));
        Assert.Equal(5, _nms.Apply(candidates).Length);
    }

    [Fact]
    public void GroupsOf_LabelsOfAGroup_MapToItsFirstLabelsClassAndUnknownLabelsAreLeftOut()
    {
        var groups = NonMaxSuppression.GroupsOf(["person", "car", "truck", "bus", "dog"], [["truck", "car", "tractor"], ["dog"]]);

        Assert.Equal([0, 2, 2, 3, 4], groups);
    }

    [Fact]
    public void ApplyAcrossClasses_GroupedClassesOverlap_KeepsTheBetterAndEveryOverlapOfOneClass()
    {
        // Classes 1 (car) and 2 (truck) grouped; two overlapping people (class 0) are the model's choice.
        var nms = new NonMaxSuppression(0.6f, 100, NonMaxSuppression.GroupsOf(["person", "car", "truck"], [["car", "truck"]]));
        Detection[] candidates =
        [
            Box(0, 0.8f, 0, 0, 100, 100), Box(0, 0.9f, 10, 0, 110, 100),
            Box(2, 0.6f, 300, 0, 400, 100), Box(1, 0.7f, 305, 0, 405, 100),
            Box(1, 0.5f, 300, 0, 400, 100),
        ];
        var kept = new List<Detection>();

        nms.ApplyAcrossClasses(candidates, kept);

        // The truck goes (a better car overlaps it); the weaker car stays, as overlaps within one class do.
        Assert.True(nms.HasGroups);
        Assert.Equal([Box(0, 0.9f, 10, 0, 110, 100), Box(0, 0.8f, 0, 0, 100, 100), Box(1, 0.7f, 305, 0, 405, 100), Box(1, 0.5f, 300, 0, 400, 100)], kept);
    }

    [Fact]
    public void HasGroups_NoClassJoinsAnother_False()
    {
        Assert.False(new NonMaxSuppression(0.6f, 10).HasGroups);
        Assert.False(new NonMaxSuppression(0.6f, 10, NonMaxSuppression.GroupsOf(["person", "car"], [["car"]])).HasGroups);
    }

    private static Detection Box(int classId, float score, float x1, float y1, float x2, float y2) =>
        new(classId, "class" + classId, score, x1, y1, x2, y2);
}
