using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class PlaneGeometryTests
{
    private static readonly ImagePoint[] Square = [new(0, 0), new(10, 0), new(10, 10), new(0, 10)];

    // A "U": two uprights joined at the bottom, with a notch from (4,0) down to (6,6).
    private static readonly ImagePoint[] UShape = [new(0, 0), new(4, 0), new(4, 6), new(6, 6), new(6, 0), new(10, 0), new(10, 10), new(0, 10)];

    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(0.01f, 9.99f, true)]
    [InlineData(-0.01f, 5, false)]
    [InlineData(5, 10.01f, false)]
    [InlineData(15, 5, false)]
    public void ContainsPoint_ConvexSquare_InsideOnlyWithin(float x, float y, bool expected)
    {
        Assert.Equal(expected, PlaneGeometry.ContainsPoint(Square, new ImagePoint(x, y)));
    }

    [Theory]
    [InlineData(5, 3, false)]
    [InlineData(5, 5.9f, false)]
    [InlineData(5, 6.1f, true)]
    [InlineData(2, 3, true)]
    [InlineData(8, 3, true)]
    public void ContainsPoint_ConcaveNotch_PointsInTheNotchAreOutside(float x, float y, bool expected)
    {
        Assert.Equal(expected, PlaneGeometry.ContainsPoint(UShape, new ImagePoint(x, y)));
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(10, 5)]
    [InlineData(5, 10)]
    [InlineData(0, 5)]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(5, 6)]
    [InlineData(4, 3)]
    public void ContainsPoint_OnEdgeOrVertex_CountsAsInside(float x, float y)
    {
        var polygon = x is 4 or 5 && y is 6 or 3 ? UShape : Square;

        Assert.True(PlaneGeometry.ContainsPoint(polygon, new ImagePoint(x, y)));
    }

    [Fact]
    public void ContainsPoint_RayPassesThroughVertices_CountsEachCrossingOnce()
    {
        // The ray from (2, 6) to the right runs along the notch's floor and through the vertices (4,6) and (6,6).
        Assert.True(PlaneGeometry.ContainsPoint(UShape, new ImagePoint(2, 6)));
        Assert.True(PlaneGeometry.ContainsPoint(UShape, new ImagePoint(8, 6)));
        Assert.False(PlaneGeometry.ContainsPoint(UShape, new ImagePoint(11, 6)));
    }

    [Fact]
    public void Cross_PointOnScreenLeftOfUpwardLine_IsNegative()
    {
        // A at the bottom, B at the top: facing up the picture, the left side is the left of the screen.
        var a = new ImagePoint(500, 1000);
        var b = new ImagePoint(500, 0);

        Assert.True(PlaneGeometry.Cross(a, b, new ImagePoint(400, 500)) < 0);
        Assert.True(PlaneGeometry.Cross(a, b, new ImagePoint(600, 500)) > 0);
        Assert.Equal(-100, PlaneGeometry.SignedDistance(a, b, new ImagePoint(400, 123)), 6);
    }

    [Theory]
    [InlineData(0, 0, 10, 10, 0, 10, 10, 0, true)]
    [InlineData(0, 0, 10, 0, 10, 0, 10, 10, true)]
    [InlineData(0, 0, 10, 0, 5, 0, 5, 5, true)]
    [InlineData(0, 0, 10, 0, 0, 1, 10, 1, false)]
    [InlineData(0, 0, 10, 0, 5, 0, 15, 0, true)]
    [InlineData(0, 0, 10, 0, 11, 0, 15, 0, false)]
    [InlineData(0, 0, 10, 10, 6, 5, 20, 5, false)]
    [InlineData(0, 0, 10, 10, 6, 5, 6, 6, true)]
    [InlineData(0, 0, 10, 10, 4, 5, 20, 5, true)]
    public void SegmentsIntersect_Cases_MatchDrawing(float ax, float ay, float bx, float by, float cx, float cy, float dx, float dy, bool expected)
    {
        Assert.Equal(expected, PlaneGeometry.SegmentsIntersect(new(ax, ay), new(bx, by), new(cx, cy), new(dx, dy)));
    }

    [Fact]
    public void FindSelfIntersection_BowTie_ReturnsTheTwoCrossingEdges()
    {
        ImagePoint[] bowTie = [new(0, 0), new(10, 10), new(10, 0), new(0, 10)];

        Assert.Equal((0, 2), PlaneGeometry.FindSelfIntersection(bowTie));
    }

    [Fact]
    public void FindSelfIntersection_SimpleOutlines_ReturnsNull()
    {
        Assert.Null(PlaneGeometry.FindSelfIntersection(Square));
        Assert.Null(PlaneGeometry.FindSelfIntersection(UShape));
    }

    [Fact]
    public void FindSelfIntersection_VertexTouchingAnotherEdge_ReturnsThem()
    {
        // Vertex 3 (5,0) lies on edge 0 (0,0)→(10,0): two rooms joined at one point.
        ImagePoint[] pinched = [new(0, 0), new(10, 0), new(10, 10), new(5, 0), new(0, 10)];

        Assert.Equal((0, 2), PlaneGeometry.FindSelfIntersection(pinched));
    }

    [Fact]
    public void FindSelfIntersection_EdgeFoldingBackOverThePrevious_ReturnsThem()
    {
        ImagePoint[] folded = [new(0, 0), new(10, 0), new(5, 0), new(5, 5)];

        Assert.Equal((0, 1), PlaneGeometry.FindSelfIntersection(folded));
    }
}
