using System.Collections.Concurrent;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using OpenCvSharp;

namespace EdgeVision.Tests.Pipeline;

/// <summary>The real NanoDet-g detector on the CPU, opened once for the pipeline tests.</summary>
public sealed class DetectorFixture : IDisposable
{
    public DetectorFixture()
    {
        Detector = OnnxDetector.Create(
            ModelCatalog.Default.Load("nanodet-g-416"),
            new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], MaxBatchSize = 4 });
    }

    public OnnxDetector Detector { get; }

    public void Dispose() => Detector.Dispose();
}

/// <summary>
/// Pipeline tests share one detector and two cores; they run one at a time, and apart from every other test
/// collection too, because the backpressure test measures the process's managed heap.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PipelineCollection : ICollectionFixture<DetectorFixture>
{
    public const string Name = "Pipeline";
}

/// <summary>Keeps every frame it receives, in arrival order.</summary>
internal sealed class CollectingSink : IDetectionSink
{
    private readonly ConcurrentQueue<FrameDetections> _frames = new();

    public IReadOnlyList<FrameDetections> Frames => _frames.ToArray();

    public int Count => _frames.Count;

    public IReadOnlyList<FrameDetections> Of(string camera) => _frames.Where(f => f.Camera == camera).ToArray();

    public ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        _frames.Enqueue(frame);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Test double of the inference step: the real detector with a fixed sleep added to every batch run, to
/// make inference the bottleneck on any machine.
/// </summary>
internal sealed class DelayedBatchDetector(IBatchDetector inner, TimeSpan delay) : IBatchDetector
{
    public string ModelName => inner.ModelName;

    public string ExecutionProvider => inner.ExecutionProvider;

    public int MaxBatchSize => inner.MaxBatchSize;

    public int InputWidth => inner.InputWidth;

    public int InputHeight => inner.InputHeight;

    public void PrepareSlot(int slot, Mat scaledImage) => inner.PrepareSlot(slot, scaledImage);

    public void RunBatch(int batchSize)
    {
        Thread.Sleep(delay);
        inner.RunBatch(batchSize);
    }

    public void DecodeSlot(int slot, in LetterboxTransform transform, List<Detection> detections) =>
        inner.DecodeSlot(slot, transform, detections);
}

/// <summary>Cameras the tests need that are not a video file.</summary>
internal static class TestCameras
{
    /// <summary>An RTSP camera on a port nothing listens on, with short timeouts and fast retries.</summary>
    public static CameraOptions Unreachable(string name) => new()
    {
        Name = name,
        Source = "rtsp://127.0.0.1:1/nothing",
        OpenTimeout = TimeSpan.FromSeconds(1),
        ReadTimeout = TimeSpan.FromSeconds(1),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };
}

/// <summary>Video files for the tests, made from vtest.avi.</summary>
internal static class TestVideos
{
    public const string Vtest = Support.RepositoryPaths.VtestVideo;
    public const int VtestFrames = 795;

    /// <summary>vtest.avi with three 64 KiB runs of noise written over it at 30 %, 50 % and 70 % of its length.</summary>
    public static string Corrupt(string directory)
    {
        var path = Path.Combine(directory, "vtest-corrupt.avi");
        var bytes = File.ReadAllBytes(Vtest);
        var noise = new Random(7);
        foreach (var fraction in (double[])[0.3, 0.5, 0.7])
        {
            noise.NextBytes(bytes.AsSpan((int)(bytes.Length * fraction), 64 * 1024));
        }

        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The first half of vtest.avi's bytes; its header still declares all 795 frames.</summary>
    public static string Truncated(string directory)
    {
        var path = Path.Combine(directory, "vtest-truncated.avi");
        var bytes = File.ReadAllBytes(Vtest);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }

    /// <summary>The first <paramref name="frames"/> frames of vtest.avi re-encoded as MJPEG at <paramref name="fps"/> frames per second.</summary>
    public static string Fast(string directory, int frames, double fps)
    {
        var path = Path.Combine(directory, $"vtest-{fps}fps.avi");
        using var capture = new VideoCapture(Vtest, VideoCaptureAPIs.FFMPEG);
        using var writer = new VideoWriter(path, VideoCaptureAPIs.FFMPEG, FourCC.MJPG, fps, new Size(768, 576));
        if (!writer.IsOpened())
        {
            throw new InvalidOperationException("OpenCV cannot write MJPEG AVI files here");
        }

        using var frame = new Mat();
        for (var i = 0; i < frames && capture.Read(frame); i++)
        {
            writer.Write(frame);
        }

        return path;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        // A bound on how long a broken test may hang, not a claim about speed.
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(2));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("gave up waiting for " + what);
            }

            await Task.Delay(20);
        }
    }
}

/// <summary>A detector that is never run: for checks that end before any frame (the options a pipeline refuses).</summary>
internal sealed class NoDetector : IBatchDetector
{
    public string ModelName => "none";

    public string ExecutionProvider => "none";

    public int MaxBatchSize => 4;

    public int InputWidth => 416;

    public int InputHeight => 416;

    public void PrepareSlot(int slot, Mat scaledImage) => throw new InvalidOperationException("this detector is never run");

    public void RunBatch(int batchSize) => throw new InvalidOperationException("this detector is never run");

    public void DecodeSlot(int slot, in LetterboxTransform transform, List<Detection> detections) => throw new InvalidOperationException("this detector is never run");
}
