using OpenCvSharp;

namespace EdgeVision.Pipeline.Motion;

/// <summary>Reads a video file's frame size without decoding it, so settings that depend on it can be checked before any camera opens.</summary>
public static class VideoFileProbe
{
    /// <summary>The file's width and height, or null when FFmpeg cannot open it or does not say.</summary>
    public static (int Width, int Height)? FrameSize(string path)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            return null;
        }

        var width = (int)capture.Get(VideoCaptureProperties.FrameWidth);
        var height = (int)capture.Get(VideoCaptureProperties.FrameHeight);
        return width > 0 && height > 0 ? (width, height) : null;
    }
}
