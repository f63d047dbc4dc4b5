using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// Where viewers get their picture: each processed frame with what was found on it, handed over on the
/// analytics stage (never the inference thread) while <see cref="Wants"/> says so. The image is the frame's
/// buffer, valid only during the call: an implementation copies what it keeps and returns quickly.
/// </summary>
public interface IFrameTap
{
    /// <summary>Whether anything should be handed over for this camera now (a viewer watches, or a latest image is kept).</summary>
    bool Wants(string camera);

    /// <param name="image">The frame the boxes were computed on, scaled by <paramref name="scale"/> from source pixels (1 at full resolution).</param>
    void Offer(FrameDetections frame, Mat image, float scale);
}
