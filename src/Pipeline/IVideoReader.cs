using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>An opened camera or file, read one frame at a time on its capture thread.</summary>
internal interface IVideoReader : IDisposable
{
    /// <summary>Frames per second the source reports; 0 or nonsense when it does not know.</summary>
    double Fps { get; }

    /// <summary>Frames a file declares; 0 for live sources.</summary>
    int FrameCount { get; }

    /// <summary>Decodes the next frame into <paramref name="image"/> (BGR); false at the end or on a failure.</summary>
    bool Read(Mat image);
}
