using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// The inference step as the pipeline drives it: fill slots, run once, decode each slot. One thread uses an
/// instance at a time. <see cref="OnnxBatchDetector"/> is the real one; tests decorate it.
/// </summary>
public interface IBatchDetector
{
    string ModelName { get; }

    string ExecutionProvider { get; }

    int MaxBatchSize { get; }

    int InputWidth { get; }

    int InputHeight { get; }

    /// <summary>
    /// Per class id, the class its NMS suppresses it with (<see cref="DetectorOptions.NmsLabelGroups"/>), so that the
    /// joining of regions treats labels alike; empty when every class stands alone.
    /// </summary>
    int[] ClassGroups => [];

    /// <summary>
    /// Writes <paramref name="scaledImage"/>, already resized to its letterbox size
    /// (<see cref="LetterboxTransform.ScaledWidth"/> × <see cref="LetterboxTransform.ScaledHeight"/>), into batch slot <paramref name="slot"/>.
    /// </summary>
    void PrepareSlot(int slot, Mat scaledImage);

    void RunBatch(int batchSize);

    /// <summary>Replaces <paramref name="detections"/> with slot <paramref name="slot"/>'s detections, mapped to the source frame by <paramref name="transform"/>.</summary>
    void DecodeSlot(int slot, in LetterboxTransform transform, List<Detection> detections);
}
