using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace EdgeVision.Pipeline;

/// <summary>
/// Opens a camera by what its source names: files through OpenCV's FFmpeg backend with open and read
/// timeouts, devices through V4L2 (FFmpeg's backend in OpenCV does not open devices), rtsp:// and http(s)://
/// URLs through an ffmpeg child process (<see cref="FfmpegStreamReader"/>: OpenCV's bundled FFmpeg has no
/// network support). The call blocks; the caller's watchdog bounds it.
/// </summary>
internal static partial class CaptureOpener
{
    // OpenCV's CAP_PROP_OPEN_TIMEOUT_MSEC and CAP_PROP_READ_TIMEOUT_MSEC (videoio.hpp); OpenCvSharp's enum stops before them.
    private const int OpenTimeoutProperty = 53;
    private const int ReadTimeoutProperty = 54;

    // CAP_PROP_N_THREADS (videoio.hpp, open-only): decoder threads for the FFmpeg backend.
    private const int DecodeThreadsProperty = 70;

    /// <summary>The open capture, or null when the source cannot be opened (the reason is logged, redacted).</summary>
    public static IVideoReader? Open(CameraOptions camera, CameraSourceKind kind, ILogger logger)
    {
        VideoCapture? capture = null;
        try
        {
            if (kind == CameraSourceKind.Stream)
            {
                return FfmpegStreamReader.Open(camera.Source, camera.ReadTimeout, camera.DecodeThreads);
            }

            capture = kind switch
            {
                CameraSourceKind.Device when int.TryParse(camera.Source, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    => new VideoCapture(index, VideoCaptureAPIs.V4L2),
                CameraSourceKind.Device => new VideoCapture(camera.Source, VideoCaptureAPIs.V4L2),
                _ => new VideoCapture(camera.Source, VideoCaptureAPIs.FFMPEG, FfmpegOpenParameters(camera)),
            };
            if (capture.IsOpened())
            {
                return new OpenCvVideoReader(capture);
            }
        }
        catch (Exception ex) when (ex is OpenCVException or InvalidOperationException)
        {
            LogOpenError(logger, camera.Name, SourceRedaction.Scrub(ex.Message, camera.Source));
        }

        capture?.Dispose();
        return null;
    }

    private static int[] FfmpegOpenParameters(CameraOptions camera) =>
    [
        OpenTimeoutProperty, Milliseconds(camera.OpenTimeout),
        ReadTimeoutProperty, Milliseconds(camera.ReadTimeout),
        .. camera.DecodeThreads > 0 ? [DecodeThreadsProperty, camera.DecodeThreads] : Array.Empty<int>(),
    ];

    private static int Milliseconds(TimeSpan duration) => (int)Math.Clamp(duration.TotalMilliseconds, 1, int.MaxValue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: cannot open it: {Reason}")]
    private static partial void LogOpenError(ILogger logger, string camera, string reason);
}
