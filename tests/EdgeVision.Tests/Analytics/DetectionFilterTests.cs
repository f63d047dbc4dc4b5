using EdgeVision.Models;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

/// <summary>A camera's label filters on hand-made detections in a 1000×500 frame.</summary>
public sealed class DetectionFilterTests
{
    private static Detection Person(float x1, float y1, float x2, float y2, float score = 0.8f) => new(0, "person", score, x1, y1, x2, y2);

    private static Detection Car(float x1, float y1, float x2, float y2) => new(2, "car", 0.8f, x1, y1, x2, y2);

    private static DetectionFilter Filter(LabelFilterOptions person) =>
        DetectionFilter.For(new CameraAnalyticsOptions { Filters = new(StringComparer.Ordinal) { ["person"] = person } })!;

    [Fact]
    public void For_NoFilters_IsNull() => Assert.Null(DetectionFilter.For(new CameraAnalyticsOptions()));

    [Fact]
    public void Apply_LabelGivenWithoutConditions_FiltersNothing()
    {
        // What the binder makes of "person": null in a configuration file.
        var filter = DetectionFilter.For(new CameraAnalyticsOptions { Filters = new(StringComparer.Ordinal) { ["person"] = null! } })!;
        var detections = new[] { Person(10, 10, 50, 110, score: 0.05f) };

        Assert.Same(detections, filter.Apply(detections, 1000, 500, out var dropped));
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void Apply_AllPass_ReturnsTheSameArray()
    {
        var detections = new[] { Person(10, 10, 50, 110), Car(100, 100, 300, 200) };

        var kept = Filter(new LabelFilterOptions { MinScore = 0.5f }).Apply(detections, 1000, 500, out var dropped);

        Assert.Same(detections, kept);
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void Apply_MinScore_DropsLowerScoresOfThatLabelOnly()
    {
        var detections = new[] { Person(10, 10, 50, 110, score: 0.45f), Person(60, 10, 100, 110, score: 0.55f), Car(100, 100, 300, 200) with { Score = 0.3f } };

        var kept = Filter(new LabelFilterOptions { MinScore = 0.5f }).Apply(detections, 1000, 500, out var dropped);

        Assert.Equal([detections[1], detections[2]], kept);
        Assert.Equal(1, dropped);
    }

    [Theory]
    [InlineData(0.01f, 0f, new[] { false, true, true })] // at least 5000 px²
    [InlineData(4000f, 0f, new[] { false, true, true })] // at least 4000 px²
    [InlineData(0f, 0.02f, new[] { true, true, false })] // at most 10 000 px²
    [InlineData(3000f, 20000f, new[] { false, true, true })] // the upper bound is inclusive
    public void Apply_Areas_AsFractionsOfTheFrameOrSquarePixels(float minArea, float maxArea, bool[] expected)
    {
        // 40×50 = 2000 px², 80×100 = 8000 px², 200×100 = 20 000 px².
        var detections = new[] { Person(0, 0, 40, 50), Person(100, 0, 180, 100), Person(300, 0, 500, 100) };

        var kept = Filter(new LabelFilterOptions { MinArea = minArea, MaxArea = maxArea }).Apply(detections, 1000, 500, out var dropped);

        Assert.Equal(detections.Where((_, i) => expected[i]), kept);
        Assert.Equal(expected.Count(e => !e), dropped);
    }

    [Fact]
    public void Apply_Ratio_DropsBoxesTooWideOrTooTallForTheLabel()
    {
        // Width ÷ height: 0.1 (a pole), 0.4 (a standing person), 2 (a person-shaped smear on a bench).
        var detections = new[] { Person(0, 0, 10, 100), Person(100, 0, 140, 100), Person(200, 0, 400, 100) };

        var kept = Filter(new LabelFilterOptions { MinRatio = 0.2f, MaxRatio = 1.5f }).Apply(detections, 1000, 500, out var dropped);

        Assert.Equal([detections[1]], kept);
        Assert.Equal(2, dropped);
    }

    [Fact]
    public void Apply_Mask_DropsByTheBottomCentreInsideOrOnTheOutline()
    {
        // The mask is the square 100–200 × 300–400 in pixels; only where a box stands counts, not where it reaches.
        var mask = new MaskOptions { Points = [[100f, 300f], [200f, 300f], [200f, 400f], [100f, 400f]] };
        var detections = new[]
        {
            Person(130, 250, 170, 350), // stands at (150, 350): inside
            Person(180, 300, 220, 400), // stands at (200, 400): on the corner
            Person(130, 150, 170, 290), // stands at (150, 290): above the mask
            Person(90, 250, 300, 450),  // covers the mask, stands at (195, 450): below it
            Car(130, 250, 170, 350),    // another label: the mask is the person filter's
        };

        var kept = Filter(new LabelFilterOptions { Masks = [mask] }).Apply(detections, 1000, 500, out var dropped);

        Assert.Equal([detections[2], detections[3], detections[4]], kept);
        Assert.Equal(2, dropped);
    }

    [Fact]
    public void Apply_NormalizedMask_FollowsAChangeOfFrameSize()
    {
        var filter = Filter(new LabelFilterOptions { Masks = [new MaskOptions { Points = [[0f, 0.5f], [0.5f, 0.5f], [0.5f, 1f], [0f, 1f]] }] });
        var detection = Person(300, 300, 340, 400); // stands at (320, 400)

        Assert.Empty(filter.Apply([detection], 1000, 500, out _)); // mask 0–500 × 250–500 px: inside
        Assert.Single(filter.Apply([detection], 500, 250, out _)); // mask 0–250 × 125–250 px: outside
    }
}
