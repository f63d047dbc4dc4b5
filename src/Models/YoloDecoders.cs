namespace EdgeVision.Models;

/// <summary>What the three single-tensor decoders share: the labels, the argument checks and the mapping of a box back through the letterbox.</summary>
internal abstract class SingleTensorDecoder : IDetectionDecoder
{
    private protected SingleTensorDecoder(string outputName, IReadOnlyList<int> itemShape, IReadOnlyList<string> labels)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
        {
            throw new ArgumentException("a detector needs at least one label", nameof(labels));
        }

        Labels = labels;
        Outputs = [new DecoderOutput(outputName, itemShape)];
    }

    public IReadOnlyList<DecoderOutput> Outputs { get; }

    public int ClassCount => Labels.Count;

    /// <inheritdoc cref="IDetectionDecoder.SkipsNonMaxSuppression"/>
    public virtual bool SkipsNonMaxSuppression => false;

    private protected IReadOnlyList<string> Labels { get; }

    public void Decode(ReadOnlySpan<ReadOnlyMemory<float>> outputs, in LetterboxTransform transform, ReadOnlySpan<float> classScoreThresholds, List<Detection> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (outputs.Length != 1)
        {
            throw new ArgumentException($"expected 1 output, got {outputs.Length}", nameof(outputs));
        }

        if (classScoreThresholds.Length != ClassCount)
        {
            throw new ArgumentException($"expected {ClassCount} thresholds, got {classScoreThresholds.Length}", nameof(classScoreThresholds));
        }

        var values = outputs[0].Span;
        if (values.Length != Outputs[0].ItemLength)
        {
            throw new ArgumentException($"output {Outputs[0].Name} holds {values.Length} values, expected {Outputs[0].ItemLength}", nameof(outputs));
        }

        var lowest = ScoreThresholds.Lowest(classScoreThresholds);

        DecodeItem(values, transform, classScoreThresholds, lowest, candidates);
    }

    private protected abstract void DecodeItem(ReadOnlySpan<float> values, in LetterboxTransform transform, ReadOnlySpan<float> thresholds, float lowest, List<Detection> candidates);

    /// <summary>Adds the detection when the box, mapped to source pixels, still has an area (a box wholly in the padding has none).</summary>
    private protected void AddCorners(int classId, float score, float x1, float y1, float x2, float y2, in LetterboxTransform transform, List<Detection> candidates)
    {
        var left = transform.ToSourceX(x1);
        var top = transform.ToSourceY(y1);
        var right = transform.ToSourceX(x2);
        var bottom = transform.ToSourceY(y2);
        if (right > left && bottom > top)
        {
            candidates.Add(new Detection(classId, Labels[classId], score, left, top, right, bottom));
        }
    }

    private protected void AddCentre(int classId, float score, float cx, float cy, float w, float h, in LetterboxTransform transform, List<Detection> candidates) =>
        AddCorners(classId, score, cx - (w / 2), cy - (h / 2), cx + (w / 2), cy + (h / 2), transform, candidates);
}

/// <summary>
/// YOLOv5-style output <c>[boxes, 5 + classes]</c>: per row the box centre, width and height in input pixels,
/// the objectness and each class's score, activations applied in the graph (as Ultralytics exports do). A
/// class's confidence is objectness × its score.
/// </summary>
internal sealed class YoloV5Decoder(string outputName, int boxes, IReadOnlyList<string> labels)
    : SingleTensorDecoder(outputName, [boxes, 5 + labels.Count], labels)
{
    private protected override void DecodeItem(ReadOnlySpan<float> values, in LetterboxTransform transform, ReadOnlySpan<float> thresholds, float lowest, List<Detection> candidates)
    {
        var width = 5 + ClassCount;
        for (var row = 0; row + width <= values.Length; row += width)
        {
            var objectness = values[row + 4];
            if (objectness < lowest)
            {
                continue; // No class can reach a threshold: objectness × score ≤ objectness.
            }

            for (var classId = 0; classId < ClassCount; classId++)
            {
                var score = objectness * values[row + 5 + classId];
                if (score >= thresholds[classId])
                {
                    AddCentre(classId, score, values[row], values[row + 1], values[row + 2], values[row + 3], transform, candidates);
                }
            }
        }
    }
}

/// <summary>
/// YOLOv8/YOLO11-style output <c>[4 + classes, boxes]</c> (one column per box): the box centre, width and height
/// in input pixels, then each class's score; no objectness.
/// </summary>
internal sealed class YoloV8Decoder : SingleTensorDecoder
{
    private readonly int _boxes;

    public YoloV8Decoder(string outputName, int boxes, IReadOnlyList<string> labels)
        : base(outputName, [4 + labels.Count, boxes], labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(boxes);
        _boxes = boxes;
    }

    private protected override void DecodeItem(ReadOnlySpan<float> values, in LetterboxTransform transform, ReadOnlySpan<float> thresholds, float lowest, List<Detection> candidates)
    {
        var n = _boxes;
        for (var classId = 0; classId < ClassCount; classId++)
        {
            var scores = values.Slice((4 + classId) * n, n);
            var threshold = thresholds[classId];
            for (var box = 0; box < n; box++)
            {
                // Rows are read class by class, so each pass over one class's scores stays in cache.
                var score = scores[box];
                if (score >= threshold)
                {
                    AddCentre(classId, score, values[box], values[n + box], values[(2 * n) + box], values[(3 * n) + box], transform, candidates);
                }
            }
        }
    }
}

/// <summary>
/// End-to-end (NMS-free) output <c>[K, 6]</c>: per row x1, y1, x2, y2 in input pixels, the score and the class id.
/// Rows past the model's detections carry score 0 and fall under any threshold.
/// </summary>
internal sealed class EndToEndDecoder(string outputName, int rows, IReadOnlyList<string> labels)
    : SingleTensorDecoder(outputName, [rows, 6], labels)
{
    /// <summary>The model has chosen its boxes already; NMS would only remove what it meant to keep.</summary>
    public override bool SkipsNonMaxSuppression => true;

    private protected override void DecodeItem(ReadOnlySpan<float> values, in LetterboxTransform transform, ReadOnlySpan<float> thresholds, float lowest, List<Detection> candidates)
    {
        for (var row = 0; row + 6 <= values.Length; row += 6)
        {
            var score = values[row + 4];
            var classValue = values[row + 5];
            if (!(score >= lowest) || !(classValue >= 0) || classValue >= ClassCount)
            {
                continue;
            }

            var classId = (int)MathF.Round(classValue);
            if (classId < ClassCount && score >= thresholds[classId])
            {
                AddCorners(classId, score, values[row], values[row + 1], values[row + 2], values[row + 3], transform, candidates);
            }
        }
    }
}
