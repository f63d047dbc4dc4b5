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

        var (runs, runMs, operators) = OrtProfile.Summarize(File.ReadAllText(trace), skipRuns: 1);

        Assert.Equal(3, runs);
        Assert.Equal(1.0, operators.Sum(o => o.Share), 6);
        Assert.True(operators.Sum(o => o.MillisecondsPerRun) <= runMs, "kernels take longer than the runs they are part of");
        Assert.Equal(31, operators.Single(o => o.Operator == "QLinearConv").Nodes);
        Assert.Equal("QLinearConv", operators[0].Operator);
    }
}
