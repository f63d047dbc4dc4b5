using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class HungarianAssignmentTests
{
    [Fact]
    public void Solve_ThreeByThree_FindsTheOptimumNotTheGreedyPick()
    {
        // Greedy takes (0,0) and (2,2) at 1 each, then must pay 5 for (1,1): 7. The optimum is (0,1)+(1,0)+(2,2) = 5.
        float[] costs =
        [
            1, 2, 9,
            2, 5, 9,
            9, 9, 1,
        ];
        var rowToColumn = new int[3];

        var made = new HungarianAssignment().Solve(costs, 3, 3, rowToColumn);

        Assert.Equal(3, made);
        Assert.Equal([1, 0, 2], rowToColumn);
    }

    [Fact]
    public void Solve_FourByFourKnownOptimum_CostsTheKnownTotal()
    {
        // Optimum 140 = 69 + 37 + 11 + 23, checked by enumerating all 24 permutations.
        float[] costs =
        [
            82, 83, 69, 92,
            77, 37, 49, 92,
            11, 69, 5, 86,
            8, 9, 98, 23,
        ];
        var rowToColumn = new int[4];

        new HungarianAssignment().Solve(costs, 4, 4, rowToColumn);

        Assert.Equal([2, 1, 0, 3], rowToColumn);
        Assert.Equal(140f, costs[2] + costs[4 + 1] + costs[8 + 0] + costs[12 + 3]);
    }

    [Fact]
    public void Solve_TallMatrix_LeavesTheDearestRowOut()
    {
        float[] costs =
        [
            4, 1,
            2, 8,
            3, 3,
        ];
        var rowToColumn = new int[3];

        var made = new HungarianAssignment().Solve(costs, 3, 2, rowToColumn);

        Assert.Equal(2, made);
        Assert.Equal([1, 0, -1], rowToColumn);
    }

    [Fact]
    public void Solve_GateMakesAForcedSwapDearer_KeepsTheOneGoodPair()
    {
        // Track 0 fits detection 0 well (0.1) and detection 1 poorly (0.7); track 1 fits only detection 0 (0.75).
        // Both pairs (0→1, 1→0) would make two matches at 1.45; one good pair plus two leftovers costs
        // 0.1 + 0.8 and is the tracker's answer, so the track does not swap onto its neighbour.
        float[] costs =
        [
            0.1f, 0.7f,
            0.75f, 2f,
        ];
        var rowToColumn = new int[2];

        var made = new HungarianAssignment().Solve(costs, 2, 2, maxCost: 0.8f, rowToColumn);

        Assert.Equal(1, made);
        Assert.Equal([0, -1], rowToColumn);
    }

    [Fact]
    public void Solve_EveryPairAboveTheGate_MakesNoPair()
    {
        float[] costs = [0.9f, 0.95f];
        var rowToColumn = new int[1];

        var made = new HungarianAssignment().Solve(costs, 1, 2, maxCost: 0.8f, rowToColumn);

        Assert.Equal(0, made);
        Assert.Equal([-1], rowToColumn);
    }
}
