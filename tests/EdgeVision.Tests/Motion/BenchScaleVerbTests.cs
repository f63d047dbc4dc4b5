using EdgeVision.EdgeAgent;

namespace EdgeVision.Tests.Motion;

public sealed class BenchScaleVerbTests
{
    [Theory]
    [InlineData(new[] { "--cameras", "4,x" }, "error: bench-scale: --cameras must list camera counts from 1 to 256 separated by commas (as 4,8,16), found '4,x'")]
    [InlineData(new[] { "--cameras", "0" }, "error: bench-scale: --cameras must list camera counts from 1 to 256 separated by commas (as 4,8,16), found '0'")]
    [InlineData(new[] { "--still", "/nonexistent/still.mp4" }, "error: bench-scale: --still: file not found: /nonexistent/still.mp4")]
    public async Task Run_BadArgument_ExitsTwoWithOneLineNamingIt(string[] args, string expected)
    {
        using var error = new StringWriter();

        var exitCode = await CommandLine.RunAsync(["bench-scale", .. args], error);

        Assert.Equal((2, expected + "\n"), (exitCode, error.ToString()));
    }
}
