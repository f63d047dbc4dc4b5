using EdgeVision.Models;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Where inference and capture run when <c>Detector:Placement</c> is <c>auto</c>. From the CPUs the process may
/// use (a container's cpuset or systemd's <c>CPUAffinity=</c> included): with one CPU nothing is pinned and
/// inference takes one thread; with n ≥ 2, inference gets the first k = min(4, n / 2) of them, one ONNX Runtime
/// thread each, and capture (decoding, the ffmpeg children) the other n − k. On a 2-core box that is one CPU
/// each, the placement measured best there (README, Small machines): decoding never preempts inference.
/// Past four threads a model of this size gains little, so more CPUs go to decoding more cameras.
/// </summary>
internal sealed record CpuPlacement(int[] InferenceCpus, int InferenceThreads, int[] CaptureCpus)
{
    // Threads beyond this add little to one NanoDet-sized session and take CPUs from decoding.
    private const int MaxInferenceThreads = 4;

    public static CpuPlacement Choose(IReadOnlyList<int> available)
    {
        ArgumentNullException.ThrowIfNull(available);
        if (available.Count < 2)
        {
            return new CpuPlacement([], 1, []);
        }

        var inference = Math.Clamp(available.Count / 2, 1, MaxInferenceThreads);
        return new CpuPlacement([.. available.Take(inference)], inference, [.. available.Skip(inference)]);
    }

    /// <summary>The detector options to open the session with: these CPUs and threads under <c>auto</c>, the configured ones under <c>manual</c>.</summary>
    public DetectorOptions Apply(DetectorOptions configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var options = configured.Copy();
        if (configured.Placement == DetectorOptions.AutoPlacement)
        {
            options.IntraOpThreads = InferenceThreads;
            options.Cpus = InferenceCpus;
        }

        return options;
    }

    /// <summary>A camera with this placement's capture CPUs under <c>auto</c> (when inference runs on the CPU); as configured otherwise.</summary>
    public CameraOptions Apply(CameraOptions camera, string placement, bool inferenceOnCpu)
    {
        ArgumentNullException.ThrowIfNull(camera);
        if (placement != DetectorOptions.AutoPlacement || !inferenceOnCpu || CaptureCpus.Length == 0)
        {
            return camera;
        }

        var copy = camera.WithSource(camera.Source);
        copy.CaptureCpus = CaptureCpus;
        return copy;
    }

    public override string ToString() => InferenceCpus.Length == 0
        ? $"inference {InferenceThreads} thread, nothing pinned"
        : $"inference on CPU {string.Join(',', InferenceCpus)} ({InferenceThreads} thread{(InferenceThreads == 1 ? string.Empty : "s")}), capture on CPU {string.Join(',', CaptureCpus)}";
}
