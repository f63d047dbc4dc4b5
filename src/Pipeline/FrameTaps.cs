using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>Several taps as one: the pipeline hands each processed frame to every tap that wants it.</summary>
public sealed class FrameTaps(IReadOnlyList<IFrameTap> taps) : IFrameTap
{
    public bool Wants(string camera) => taps.Any(t => t.Wants(camera));

    public void Offer(FrameDetections frame, Mat image, float scale)
    {
        foreach (var tap in taps)
        {
            if (tap.Wants(frame.Camera))
            {
                tap.Offer(frame, image, scale);
            }
        }
    }
}
