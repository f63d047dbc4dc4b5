namespace EdgeVision.Pipeline;

/// <summary>What a camera's <see cref="CameraOptions.Source"/> names.</summary>
public enum CameraSourceKind
{
    /// <summary>A video file, read with FFmpeg.</summary>
    File,

    /// <summary>An rtsp:// or http(s):// URL, read with FFmpeg.</summary>
    Stream,

    /// <summary>A V4L2 device, by index ("0") or path (/dev/video0).</summary>
    Device,
}
