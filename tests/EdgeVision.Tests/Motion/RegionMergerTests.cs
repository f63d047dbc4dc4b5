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

    private static List<Detection> Person(float x1, float y1, float x2, float y2, float score) =>
        [new Detection(0, "person", score, x1, y1, x2, y2)];
}
