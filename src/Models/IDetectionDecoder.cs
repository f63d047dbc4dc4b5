namespace EdgeVision.Models;

/// <summary>
/// Turns the raw outputs of one batch item into candidate detections in source pixels, before NMS.
/// One implementation per model family (NanoDet, YOLOv5, YOLOv8, end-to-end); the manifest's decoder.family picks it.
/// </summary>
public interface IDetectionDecoder
{
    /// <summary>The outputs this decoder reads, in the order <see cref="Decode"/> expects them.</summary>
    IReadOnlyList<DecoderOutput> Outputs { get; }

    /// <summary>Number of classes the model scores; the length of the thresholds passed to <see cref="Decode"/>.</summary>
    int ClassCount { get; }

    /// <summary>True when the model has already suppressed overlapping boxes (end-to-end exports): the detector keeps the best-scored candidates as they are.</summary>
    bool SkipsNonMaxSuppression => false;

    /// <summary>
    /// Appends to <paramref name="candidates"/> every class whose score is at or above its threshold.
    /// </summary>
    /// <param name="outputs">One item's slice of each output, in the order of <see cref="Outputs"/>.</param>
    /// <param name="transform">How the item's source image was letterboxed.</param>
    /// <param name="classScoreThresholds">Minimum score per class id.</param>
    void Decode(
        ReadOnlySpan<ReadOnlyMemory<float>> outputs,
        in LetterboxTransform transform,
        ReadOnlySpan<float> classScoreThresholds,
        List<Detection> candidates);
}
