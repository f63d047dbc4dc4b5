using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>Several taps as one: the pipeline hands each processed frame to every tap that wants it.</summary>
/// <remarks>Asked for every processed frame, so plain loops over an array: nothing is allocated per frame.</remarks>
public sealed class FrameTaps(IReadOnlyList<IFrameTap> taps) : IFrameTap
{
    private readonly IFrameTap[] _taps = [.. taps];

    public bool Wants(string camera)
    {
        foreach (var tap in _taps)
        {
            if (tap.Wants(camera))
            {
                return true;
            }
        }

        return false;
    }

    public void Offer(FrameDetections frame, Mat image, float scale)
    {
        foreach (var tap in _taps)
        {
            if (tap.Wants(frame.Camera))
            {
                tap.Offer(frame, image, scale);
            }
        }
    }
}
