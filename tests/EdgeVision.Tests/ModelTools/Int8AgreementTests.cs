using EdgeVision.Models;
using EdgeVision.ModelTools.Evaluation;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.ModelTools;

/// <summary>The committed INT8 model against the FP32 one on vtest frames that calibration never saw.</summary>
public sealed class Int8AgreementTests
{
    [Fact]
    public void Int8Model_On60UncalibratedFrames_AgreesWithFp32AtF1Above97Percent()
    {
        var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.4f, IntraOpThreads = 2 };
        using var fp32 = OnnxDetector.Create(ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416.json")), options);
        using var int8 = OnnxDetector.Create(ModelCatalog.LoadManifest(Path.Combine(RepositoryPaths.Models, "nanodet-g-416-int8.json")), options);
        Assert.Equal("int8", int8.Model.Manifest.Precision);

        // Calibration used frames 0–396 (scripts/build-models.sh); these start at 400.
        using var capture = new VideoCapture(RepositoryPaths.VtestVideo);
        Assert.True(capture.IsOpened(), RepositoryPaths.VtestVideo);
        var total = new AgreementResult(0, 0, 0, 0);
        using var frame = new Mat();
        for (var index = 0; total.Frames < 60 && capture.Read(frame) && !frame.Empty(); index++)
        {
            if (index < 400 || index % 6 != 0)
            {
                continue;
            }

            total = total.Add(DetectionAgreement.Compare(fp32.Detect(frame), int8.Detect(frame), 0.4f, 0.5f));
        }

        Assert.Equal(60, total.Frames);
        Assert.True(total.ReferenceCount >= 180, $"FP32 found only {total.ReferenceCount} objects: {total}");
        Assert.True(total.F1 >= 0.97, total.ToString());
    }
}
