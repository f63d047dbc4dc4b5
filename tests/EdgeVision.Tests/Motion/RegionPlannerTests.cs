using EdgeVision.Pipeline.Motion;
using OpenCvSharp;

namespace EdgeVision.Tests.Motion;

public sealed class RegionPlannerTests
{
    private readonly RegionPlanner _planner = new(416, 416, 0.5f);

    [Theory]
    [InlineData(768, 576, true)]
    [InlineData(416, 416, true)]
    [InlineData(832, 832, true)]
    [InlineData(1280, 720, false)]
    [InlineData(1536, 1152, false)]
    [InlineData(2304, 1728, false)]
    public void DetectsWhole_LetterboxScaleAgainstLeastScale(int width, int height, bool whole) =>
        Assert.Equal(whole, _planner.DetectsWhole(width, height));

    [Fact]
    public void Cover_OneSmallBox_OneModelSizeRegionAroundIt()
    {
        var regions = new List<Rect>();

        var covered = _planner.Cover([new Rect(1000, 800, 40, 100)], 2304, 1728, regions);

        Assert.True(covered);
        var region = Assert.Single(regions);
        Assert.Equal((416, 416), (region.Width, region.Height));
        Assert.True(region.Contains(new Rect(1000, 800, 40, 100)), $"{region} does not hold the box");
    }

    [Fact]
    public void Cover_BoxAtTheFrameEdge_RegionMovedInside()
    {
        var regions = new List<Rect>();

        _planner.Cover([new Rect(2280, 1700, 24, 28)], 2304, 1728, regions);

        var region = Assert.Single(regions);
        Assert.Equal(new Rect(2304 - 416, 1728 - 416, 416, 416), region);
    }

    [Fact]
    public void Cover_TwoBoxesNearEachOther_OneRegion()
    {
        var regions = new List<Rect>();

        _planner.Cover([new Rect(1000, 800, 40, 100), new Rect(1150, 820, 40, 100)], 2304, 1728, regions);

        var region = Assert.Single(regions);
        Assert.True(region.Contains(new Rect(1000, 800, 40, 100)) && region.Contains(new Rect(1150, 820, 40, 100)));
    }

    [Fact]
    public void Cover_TwoBoxesFarApart_TwoRegions()
    {
        var regions = new List<Rect>();

        _planner.Cover([new Rect(100, 100, 40, 100), new Rect(2000, 1500, 40, 100)], 2304, 1728, regions);

        Assert.Equal(2, regions.Count);
        Assert.Contains(regions, r => r.Contains(new Rect(100, 100, 40, 100)));
        Assert.Contains(regions, r => r.Contains(new Rect(2000, 1500, 40, 100)));
    }

    [Fact]
    public void Cover_LargeBox_RegionNeverBelowLeastScale()
    {
        var regions = new List<Rect>();

        _planner.Cover([new Rect(500, 400, 500, 600)], 2304, 1728, regions);

        Assert.All(regions, r => Assert.True(r.Width <= 832 && r.Height <= 832, $"{r} is larger than 832"));
        Assert.True(regions.Count >= 1);
        // Every pixel of the box lies in some region.
        for (var y = 400; y < 1000; y += 25)
        {
            for (var x = 500; x < 1000; x += 25)
            {
                Assert.Contains(regions, r => r.Contains(new Point(x, y)));
            }
        }
    }

    [Fact]
    public void Cover_MotionAllOver_FallsBackToTheSweep()
    {
        var boxes = new List<Rect>();
        for (var y = 0; y < 1728; y += 300)
        {
            for (var x = 0; x < 2304; x += 300)
            {
                boxes.Add(new Rect(x, y, 30, 60));
            }
        }

        var regions = new List<Rect>();

        var covered = _planner.Cover(boxes, 2304, 1728, regions);

        Assert.False(covered);
        Assert.Equal(_planner.SweepCount(2304, 1728), regions.Count);
    }

    [Theory]
    [InlineData(1536, 1152)]
    [InlineData(2304, 1728)]
    [InlineData(3840, 2160)]
    [InlineData(1280, 720)]
    public void Sweep_TilesCoverTheFrameAndOverlapByAQuarter(int width, int height)
    {
        var regions = new List<Rect>();

        _planner.Sweep(width, height, regions);

        Assert.Equal(_planner.SweepCount(width, height), regions.Count);
        Assert.All(regions, r => Assert.True(r.X >= 0 && r.Y >= 0 && r.Right <= width && r.Bottom <= height, $"{r} leaves the frame"));
        for (var y = 0; y < height; y += 16)
        {
            for (var x = 0; x < width; x += 16)
            {
                Assert.Contains(regions, r => r.Contains(new Point(x, y)));
            }
        }

        // An object of a quarter tile (208 px) anywhere lies whole inside some tile.
        var object208 = Math.Min(208, Math.Min(width, height) / 4);
        for (var y = 0; y + object208 <= height; y += 37)
        {
            for (var x = 0; x + object208 <= width; x += 37)
            {
                var box = new Rect(x, y, object208, object208);
                Assert.Contains(regions, r => r.Contains(box));
            }
        }
    }
}
