using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Outbox;

/// <summary>The real agent process and its outbox directory: unusable or already taken, it says so in one line and exits.</summary>
public sealed class OutboxAgentTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public void Run_OutboxDirectoryCannotBeCreated_ExitsOneNamingTheDirectory()
    {
        using var agent = AgentProcess.Start(Settings(MosquittoBroker.FreePort(), "/dev/null/outbox"));

        Assert.Equal(1, agent.WaitForExit(Bound));
        Assert.Contains("error: cannot open the MQTT outbox /dev/null/outbox: ", agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SecondAgentOnTheSameOutbox_ExitsOneNamingTheLockWhileTheFirstRuns()
    {
        using var state = new TemporaryDirectory();
        var outbox = state.Combine("outbox");
        using var first = AgentProcess.Start(Settings(MosquittoBroker.FreePort(), outbox));
        Assert.True(first.WaitForOutput("Outbox delivery started", Bound), first.Output);

        using var second = AgentProcess.Start(Settings(MosquittoBroker.FreePort(), outbox));

        Assert.Equal(1, second.WaitForExit(Bound));
        Assert.Contains($"error: cannot open the MQTT outbox {outbox}: another process holds {Path.Combine(outbox, "lock")} (one agent per outbox)", second.Output, StringComparison.Ordinal);
        Assert.False(first.HasExited, first.Output);
    }

    private static string[] Settings(int port, string outbox) =>
    [
        "run",
        "--EdgeVision:ConsoleSummaryInterval=00:00:00",
        $"--EdgeVision:SnapshotDirectory={Path.Combine(MqttTestSupport.OutboxRoot, "..", "snapshots", port.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
        $"--Mqtt:Embedded:Port={port}",
        $"--Mqtt:Outbox:Directory={outbox}",
        $"--Mqtt:DeviceId=outbox-{port}",
    ];
}
