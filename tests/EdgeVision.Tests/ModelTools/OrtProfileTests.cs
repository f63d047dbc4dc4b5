using EdgeVision.Models;
using EdgeVision.ModelTools.Profiling;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.ModelTools;

/// <summary>The per-operator profile behind <c>edgevision profile</c>: ONNX Runtime's own trace, summed per operator type.</summary>
public sealed class OrtProfileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Summarize_TwoRunsOneSkipped_OnlyTheSecondRunsKernelsPerRunAndShares()
    {
        const string trace = """
            [
              {"cat":"Session","name":"model_run","ts":100,"dur":50},
              {"cat":"Node","name":"a_kernel_time","ts":110,"dur":30,"args":{"op_name":"Conv"}},
              {"cat":"Session","name":"model_run","ts":200,"dur":40},
              {"cat":"Node","name":"a_kernel_time","ts":205,"dur":20,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"a_fence_before","ts":204,"dur":1,"args":{"op_name":"Conv"}},
              {"cat":"Node","name":"b_kernel_time","ts":226,"dur":5,"args":{"op_name":"Relu"}},
              {"cat":"Node","name":"c_kernel_time","ts":232,"dur":5,"args":{"op_name":"Relu"}}
            ]
            """;

        var (runs, runMs, operators) = OrtProfile.Summarize(trace, skipRuns: 1);

        Assert.Equal((1, 0.04), (runs, runMs));
        Assert.Equal([new OperatorTime("Conv", 1, 0.02, 2 / 3.0), new OperatorTime("Relu", 2, 0.01, 1 / 3.0)], operators);
        Assert.Throws<InvalidDataException>(() => OrtProfile.Summarize(trace, skipRuns: 2));
    }

    [Fact]
    public void Summarize_RealInt8Run_EveryQuantizedConvolutionCountedAndSharesAddUp()
    {
        var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 1, MaxBatchSize = 1 };
        string trace;
        using (var detector = OnnxDetector.CreateProfiled(ModelCatalog.Default.Load("nanodet-g-416-int8"), options, Path.Combine(_directory.Path, "int8")))
        using (var frame = VideoFrames.Vtest(0))
        {
            detector.PrepareSlot(0, frame);
            for (var run = 0; run < 4; run++)
            {
                detector.RunBatch(1);
            }

            trace = detector.EndProfiling();
        }

        Assert.StartsWith(_directory.Path, Path.GetFullPath(trace), StringComparison.Ordinal);
        var (runs, runMs, operators) = OrtProfile.Summarize(File.ReadAllText(trace), skipRuns: 1);

        Assert.Equal(3, runs);
        Assert.Equal(1.0, operators.Sum(o => o.Share), 6);
        Assert.True(operators.Sum(o => o.MillisecondsPerRun) <= runMs, "kernels take longer than the runs they are part of");
        // Every one of NanoDet-g's 34 convolutions runs in 8 bits; none is left in float.
        Assert.Equal(34, operators.Single(o => o.Operator == "QLinearConv").Nodes);
        Assert.DoesNotContain(operators, o => o.Operator == "Conv");
        Assert.Equal("QLinearConv", operators[0].Operator);
    }
}

/// <summary>The convolution microbenchmark's two models: the same convolution in float and in QDQ, the latter fused by ONNX Runtime.</summary>
public sealed class ConvolutionBenchmarkTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Models_SameConvolutionInBothPrecisionsAndTheQuantizedOneRunsAsQLinearConv()
    {
        const int channels = 16;
        const int size = 12;
        var input = new float[channels * size * size];
        var random = new Random(3);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)random.NextDouble();
        }

        var (fp32, _) = Run(EdgeVision.ModelTools.Profiling.ConvolutionBenchmark.Float(channels, size), input, channels, size, null);
        var (int8, trace) = Run(EdgeVision.ModelTools.Profiling.ConvolutionBenchmark.Quantized(channels, size), input, channels, size, Path.Combine(_directory.Path, "int8"));

        // The output's 8-bit step is 0.05: the two agree to a couple of steps everywhere.
        var worst = fp32.Zip(int8, (a, b) => MathF.Abs(a - b)).Max();
        Assert.True(worst <= 0.1f, $"largest difference {worst}");
        Assert.True(fp32.Max(MathF.Abs) > 0.5f, "the convolution gave nothing to compare");
        Assert.StartsWith(_directory.Path, trace, StringComparison.Ordinal);
        var (_, _, operators) = OrtProfile.Summarize(File.ReadAllText(trace!));
        Assert.Contains(operators, o => o.Operator == "QLinearConv");
        Assert.DoesNotContain(operators, o => o.Operator == "Conv");
        Assert.Equal(9.0 * channels * channels * size * size, EdgeVision.ModelTools.Profiling.ConvolutionBenchmark.MultiplyAccumulates(channels, size));
    }

    private static (float[] Output, string? Trace) Run(byte[] model, float[] input, int channels, int size, string? profile)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 };
        if (profile is not null)
        {
            options.ProfileOutputPathPrefix = profile;
            options.EnableProfiling = true;
        }

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model, options);
        using var tensor = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(input, [1, channels, size, size]);
        using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["x"], [tensor], ["y"]);
        var output = results[0].GetTensorDataAsSpan<float>().ToArray();
        return (output, profile is null ? null : Path.GetFullPath(session.EndProfiling()));
    }
}
