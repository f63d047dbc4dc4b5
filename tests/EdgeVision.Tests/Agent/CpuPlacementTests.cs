using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Models;
using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Agent;

public sealed class CpuPlacementTests
{
    [Theory]
    [InlineData(new[] { 0 }, new int[0], 1, new int[0])]
    [InlineData(new[] { 0, 1 }, new[] { 0 }, 1, new[] { 1 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 2 }, 1, new[] { 3, 5 })]
    [InlineData(new[] { 0, 1, 2, 3 }, new[] { 0, 1 }, 2, new[] { 2, 3 })]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, new[] { 0, 1, 2, 3 }, 4, new[] { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 })]
    public void Choose_AvailableCpus_HalfToInferenceAtMostFourRestToCapture(int[] available, int[] inference, int threads, int[] capture)
    {
        var placement = CpuPlacement.Choose(available);

        Assert.Equal(inference, placement.InferenceCpus);
        Assert.Equal(threads, placement.InferenceThreads);
        Assert.Equal(capture, placement.CaptureCpus);
    }

    [Fact]
    public void Apply_AutoOnTwoCores_TheTwoCoreRecipeWithoutTouchingTheConfiguredObjects()
    {
        var placement = CpuPlacement.Choose([0, 1]);
        var configured = new DetectorOptions();
        var camera = new CameraOptions { Name = "gate", Source = "rtsp://192.0.2.1/x" };

        var detector = placement.Apply(configured);
        var placed = placement.Apply(camera, configured.Placement, inferenceOnCpu: true);

        Assert.Equal(1, detector.IntraOpThreads);
        Assert.Equal([0], detector.Cpus);
        Assert.Equal([1], placed.CaptureCpus);
        Assert.Equal((Environment.ProcessorCount, 0, 0), (configured.IntraOpThreads, configured.Cpus.Length, camera.CaptureCpus.Length));
    }

    [Fact]
    public void Apply_Manual_KeepsWhatIsConfigured()
    {
        var placement = CpuPlacement.Choose([0, 1]);
        var configured = new DetectorOptions { Placement = DetectorOptions.ManualPlacement, IntraOpThreads = 2, Cpus = [1] };
        var camera = new CameraOptions { Name = "gate", Source = "rtsp://192.0.2.1/x", CaptureCpus = [0] };

        Assert.Equal(2, placement.Apply(configured).IntraOpThreads);
        Assert.Equal([1], placement.Apply(configured).Cpus);
        Assert.Same(camera, placement.Apply(camera, configured.Placement, inferenceOnCpu: true));
    }

    [Fact]
    public void Apply_AutoWithInferenceOnAGpu_CaptureNotPinned()
    {
        var placement = CpuPlacement.Choose([0, 1]);
        var camera = new CameraOptions { Name = "gate", Source = "rtsp://192.0.2.1/x" };

        Assert.Same(camera, placement.Apply(camera, DetectorOptions.AutoPlacement, inferenceOnCpu: false));
    }
}
