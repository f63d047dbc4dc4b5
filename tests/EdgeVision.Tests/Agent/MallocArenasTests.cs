using EdgeVision.EdgeAgent.Hosting;

namespace EdgeVision.Tests.Agent;

public sealed class MallocArenasTests
{
    [Fact]
    public void Limit_OnGlibcWithoutMallocArenaMax_IsApplied()
    {
        Assert.Null(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

        Assert.Equal(MallocArenaLimit.Applied, MallocArenas.Limit());
    }

    [Fact]
    public void Limit_NotPositive_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MallocArenas.Limit(0));
}
