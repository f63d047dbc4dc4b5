using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>Files through OpenCV's FFmpeg backend, devices through V4L2.</summary>
internal sealed class OpenCvVideoReader(VideoCapture capture) : IVideoReader
{
    public double Fps => capture.Fps;

    public int FrameCount => capture.FrameCount;

    public bool Read(Mat image) => capture.Read(image);

    public void Dispose() => capture.Dispose();
}
