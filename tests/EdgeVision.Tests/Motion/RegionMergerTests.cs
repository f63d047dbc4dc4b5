using EdgeVision.Models;
using EdgeVision.Pipeline.Motion;
using OpenCvSharp;

namespace EdgeVision.Tests.Motion;

public sealed class RegionMergerTests
{
    private readonly RegionMerger _merger = new(0.6f);

    [Fact]
    public void Finish_RegionsAddTheirOffsets_BoxesInFramePixels()
    {
        _merger.Begin(2304, 1728);

        _merger.Add(new Rect(1000, 500, 416, 416), 1f, Person(100, 100, 150, 230, 0.8f), 0);

        var d = Assert.Single(_merger.Finish());
        Assert.Equal((1100f, 600f, 1150f, 730f), (d.X1, d.Y1, d.X2, d.Y2));
    }

    [Fact]
    public void Finish_CutByOneRegionWholeInTheOther_OnlyTheWholeBox()
    {
        _merger.Begin(2304, 1728);

        // Region 0 ends at x = 416: a person standing at x 380–440 is cut there; region 1 (from x = 300) holds them whole.
        _merger.Add(new Rect(0, 0, 416, 416), 1f, Person(380, 100, 416, 230, 0.7f), 0);
        _merger.Add(new Rect(300, 0, 416, 416), 1f, Person(80, 100, 140, 230, 0.6f), 1);

        var d = Assert.Single(_merger.Finish());
        Assert.Equal((380f, 100f, 440f, 230f, 0.6f), (d.X1, d.Y1, d.X2, d.Y2, d.Score));
    }

    [Fact]
    public void Finish_CutInBothRegions_JoinedIntoOne()
    {
        _merger.Begin(2304, 1728);

        _merger.Add(new Rect(0, 0, 416, 416), 1f, Person(350, 100, 416, 230, 0.7f), 0);
        _merger.Add(new Rect(380, 0, 416, 416), 1f, Person(0, 100, 80, 230, 0.5f), 1);

        var d = Assert.Single(_merger.Finish());
        Assert.Equal((350f, 100f, 460f, 230f, 0.7f), (d.X1, d.Y1, d.X2, d.Y2, d.Score));
    }

    [Fact]
    public void Finish_SameObjectInOverlappingRegions_OneBoxTheBetterScore()
    {
        _merger.Begin(2304, 1728);

        _merger.Add(new Rect(0, 0, 416, 416), 1f, Person(200, 100, 260, 230, 0.7f), 0);
        _merger.Add(new Rect(100, 0, 416, 416), 1f, Person(101, 101, 161, 231, 0.9f), 1);

        var d = Assert.Single(_merger.Finish());
        Assert.Equal(0.9f, d.Score);
    }

    [Fact]
    public void Finish_TwoPeopleOverlappingInOneRegion_BothKept()
    {
        _merger.Begin(2304, 1728);

        // One region's boxes were already suppressed by the detector: a child in front of an adult stays.
        _merger.Add(new Rect(0, 0, 416, 416), 1f, [.. Person(100, 100, 180, 300, 0.9f), .. Person(120, 200, 170, 290, 0.8f)], 0);

        Assert.Equal(2, _merger.Finish().Length);
    }

    [Fact]
    public void Finish_CutAtTheFrameEdge_Kept()
    {
        _merger.Begin(2304, 1728);

        _merger.Add(new Rect(0, 0, 416, 416), 1f, Person(0, 100, 40, 230, 0.7f), 0);

        Assert.Single(_merger.Finish());
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    public void Finish_VanCarInOneRegionTruckInTheOther_OneVehicleOnlyWhenTheLabelsAreGrouped(bool grouped, int expected)
    {
        // COCO ids: car 2, truck 7; the detector's NMS groups {car, truck, bus} when configured so.
        var merger = new RegionMerger(0.6f, grouped ? NonMaxSuppression.GroupsOf(["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck"], [["car", "truck", "bus"]]) : null);
        merger.Begin(2304, 1728);

        merger.Add(new Rect(0, 0, 416, 416), 1f, [new Detection(2, "car", 0.55f, 200, 100, 300, 170)], 0);
        merger.Add(new Rect(100, 0, 416, 416), 1f, [new Detection(7, "truck", 0.6f, 101, 101, 201, 171)], 1);

        var kept = merger.Finish();

        Assert.Equal(expected, kept.Length);
        Assert.Equal("truck", kept[0].Label);
    }

    [Fact]
    public void Finish_GroupedHalvesCutByBothRegions_JoinedUnderTheBetterScoredLabel()
    {
        var merger = new RegionMerger(0.6f, NonMaxSuppression.GroupsOf(["car", "truck"], [["car", "truck"]]));
        merger.Begin(2304, 1728);

        merger.Add(new Rect(0, 0, 416, 416), 1f, [new Detection(0, "car", 0.5f, 350, 100, 416, 170)], 0);
        merger.Add(new Rect(380, 0, 416, 416), 1f, [new Detection(1, "truck", 0.65f, 0, 100, 80, 170)], 1);

        var d = Assert.Single(merger.Finish());
        Assert.Equal(("truck", 0.65f, 350f, 460f), (d.Label, d.Score, d.X1, d.X2));
    }

    private static List<Detection> Person(float x1, float y1, float x2, float y2, float score) =>
        [new Detection(0, "person", score, x1, y1, x2, y2)];
}
