using System.Reflection;
using EdgeVision.EdgeAgent;
using EdgeVision.Models;
using EdgeVision.ModelTools;
using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Agent;

/// <summary>Exit codes are the command line's business: the libraries say what is wrong, the agent maps it.</summary>
public sealed class CommandLineTests
{
    public static TheoryData<Exception, int?> Errors => new()
    {
        { new UserFacingException("run: unknown option --fast", 2), 2 },
        { new UserFacingException("mqtt-probe: the broker refused the connection"), 1 },
        { new DetectorOptionsException("detector options are invalid: IntraOpThreads: must be 0 or more"), 2 },
        { new ModelException("model file not found: /nope.onnx"), 1 },
        { new ToolInputException("calibration folder /frames has no images"), 1 },
        { new InvalidOperationException("a bug"), null },
        { new IOException("disk full"), null },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ExitCodeOf_EachKindOfError_TheCodeItEndsWith(Exception error, int? expected)
    {
        Assert.Equal(expected, CommandLine.ExitCodeOf(error));
    }

    [Fact]
    public void Libraries_NoTypeCarriesAnExitCode()
    {
        Assembly[] libraries = [typeof(ModelException).Assembly, typeof(CameraSource).Assembly, typeof(ToolInputException).Assembly];
        var carriers = libraries
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetProperty("ExitCode", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static) is not null)
            .Select(t => t.FullName)
            .ToArray();

        Assert.Empty(carriers);
        Assert.NotNull(typeof(UserFacingException).GetProperty("ExitCode"));
    }

    [Fact]
    public async Task Quantize_OpTypeItCannotQuantize_ExitsTwoNamingTheOnesItCan()
    {
        using var error = new StringWriter();

        var code = await CommandLine.RunAsync(["quantize", "in.onnx", "out.onnx", "--calibration", "frames", "--ops", "Conv,Resize,Softmax"], error);

        Assert.Equal(2, code);
        Assert.Equal(
            "error: quantize: --ops takes op types from Conv, LeakyRelu, Concat, Add, MaxPool, Resize, Reshape, Transpose, Split, found 'Conv,Resize,Softmax'",
            error.ToString().Trim());
    }

    [Theory]
    [InlineData("--input", "uint16", "error: quantize: --input must be float, uint8-nhwc or uint8-blocks, got 'uint16'")]
    [InlineData("--manifest", "out.yaml", "error: quantize: --manifest must name a .json file, got 'out.yaml'")]
    [InlineData("--refit-frames", "0", "error: --refit-frames must be a whole number from 1 to 10000, found '0'")]
    [InlineData("--method", "entropy", "error: quantize: --method must be minmax, percentile or mse, got 'entropy'")]
    public async Task Quantize_BadOptionValue_ExitsTwoInOneLine(string option, string value, string expected)
    {
        using var error = new StringWriter();

        var code = await CommandLine.RunAsync(["quantize", "in.onnx", "out.onnx", "--calibration", "frames", option, value], error);

        Assert.Equal(2, code);
        Assert.Equal(expected, error.ToString().Trim());
    }
}

/// <summary>How <c>bench</c> reports rounds: the median and the range of the per-round values.</summary>
public sealed class BenchRoundsTests
{
    [Fact]
    public void Spread_OddAndEvenRounds_MedianThenLowestToHighest()
    {
        Assert.Equal("0.98 (0.95–1.02)", EdgeVision.EdgeAgent.Verbs.BenchVerb.Spread([1.02, 0.95, 0.98], "F2"));
        Assert.Equal("11.5 (9.0–20.0)", EdgeVision.EdgeAgent.Verbs.BenchVerb.Spread([20, 9, 11, 12], "F1"));
    }
}
