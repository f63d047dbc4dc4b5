using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// <see cref="IBatchDetector"/> over an <see cref="OnnxDetector"/>, which stays owned by the caller.
/// Given a frame already scaled to its letterbox size, the detector's letterbox finds nothing left to
/// resize and only normalizes the pixels into its input tensor: the tensor is written once per frame, in
/// place, and the transform that maps boxes back is the one the preprocess stage computed for the source size.
/// </summary>
internal sealed class OnnxBatchDetector : IBatchDetector
{
    private readonly OnnxDetector _detector;

    public OnnxBatchDetector(OnnxDetector detector)
    {
        _detector = detector ?? throw new ArgumentNullException(nameof(detector));
    }

    public string ModelName => _detector.Model.Manifest.Name!;

    public string ExecutionProvider => _detector.ActiveProvider;

    public int MaxBatchSize => _detector.MaxBatchSize;

    public int InputWidth => _detector.InputWidth;

    public int InputHeight => _detector.InputHeight;

    public int[] ClassGroups => _detector.ClassGroups;

    public void PrepareSlot(int slot, Mat scaledImage) => _detector.PrepareSlot(slot, scaledImage);

    public void RunBatch(int batchSize) => _detector.RunBatch(batchSize);

    public void DecodeSlot(int slot, in LetterboxTransform transform, List<Detection> detections) =>
        _detector.DecodeSlot(slot, transform, detections);
}
