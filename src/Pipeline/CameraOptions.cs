using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Pipeline;

/// <summary>One camera: a file, an RTSP/HTTP URL or a V4L2 device, and how to read it.</summary>
public sealed class CameraOptions
{
    /// <summary>Unique name; used in topics and metrics ([a-z0-9_-], 1–64 characters).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>A file path, rtsp:// or http(s):// URL, a device index ("0") or a device path (/dev/video0).</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>For files: start again at the end instead of stopping.</summary>
    public bool Loop { get; set; }

    /// <summary>For files: deliver frames at the file's frame rate, as a live camera would; false reads as fast as the pipeline takes them.</summary>
    public bool Paced { get; set; } = true;

    /// <summary>For paced files: the rate to play at, in frames per second; null plays at the file's own rate.</summary>
    public double? PaceFps { get; set; }

    /// <summary>Frames per second to run detection on; frames in between are skipped by timestamp and counted. Null: every frame.</summary>
    public double? DetectFps { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Tracking, zones, lines, events and captions ("track", the default) or detections only ("detect-only").</summary>
    public CameraAnalyticsOptions Analytics { get; set; } = new();

    /// <summary>Motion gating and regions: whether and where the detector runs on each frame.</summary>
    public Motion.MotionOptions Motion { get; set; } = new();

    /// <summary>Linux nice value of the capture thread (0–19): decoding yields the CPU to inference. 0 leaves it as is.</summary>
    public int CaptureNice { get; set; } = 5;

    /// <summary>
    /// CPUs the capture thread runs on, and with it FFmpeg's decoder threads and an ffmpeg child process (they
    /// inherit the set); empty leaves placement to the kernel. Keep them apart from the detector's
    /// <c>Cpus</c> so that decoding never preempts inference.
    /// </summary>
    public int[] CaptureCpus { get; set; } = [];

    /// <summary>
    /// Threads FFmpeg may use to decode this camera's stream (OpenCV's CAP_PROP_N_THREADS); 0 leaves the choice
    /// to FFmpeg, which takes one per core. Not used for V4L2 devices.
    /// </summary>
    public int DecodeThreads { get; set; }

    /// <summary>How long opening the source may take before it counts as failed.</summary>
    public TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one read may take inside FFmpeg before it gives up.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before reopening a failed source; doubles up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy of these options reading <paramref name="source"/> instead (a relative path made absolute, say).</summary>
    public CameraOptions WithSource(string source)
    {
        var copy = (CameraOptions)MemberwiseClone();
        copy.Source = source;
        return copy;
    }
}
