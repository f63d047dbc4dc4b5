using System.Numerics;

namespace EdgeVision.Models;

/// <summary>
/// Decodes NanoDet's head: per stride, one row of sigmoid class scores per grid cell and one row of
/// 4 × (reg_max + 1) logits giving the distance from the cell's centre to the box's left, top, right and
/// bottom sides as the expectation of a softmax over bins (generalized focal loss). The centre
/// ((col + 0.5)·stride, (row + 0.5)·stride) was measured on the original TF.js model: corner-based boxes sit
/// half a stride up and to the left of the people (tools/tfjs-reference/README.md).
/// </summary>
internal sealed class NanoDetDecoder : IDetectionDecoder
{
    private const int Sides = 4;

    private readonly IReadOnlyList<string> _labels;
    private readonly LevelGeometry[] _levels;
    private readonly int _bins;

    public NanoDetDecoder(int inputWidth, int inputHeight, IReadOnlyList<NanoDetLevel> levels, int regMax, IReadOnlyList<string> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(regMax);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(labels);
        if (levels.Count == 0 || labels.Count == 0)
        {
            throw new ArgumentException("a NanoDet head needs at least one level and one label");
        }

        _labels = labels;
        _bins = regMax + 1;
        _levels = new LevelGeometry[levels.Count];
        var outputs = new List<DecoderOutput>(levels.Count * 2);
        for (var i = 0; i < levels.Count; i++)
        {
            var stride = levels[i].Stride;
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);

            // NanoDet sizes its grids with a ceiling so that a partial last cell still gets a prior.
            var columns = (inputWidth + stride - 1) / stride;
            var rows = (inputHeight + stride - 1) / stride;
            _levels[i] = new LevelGeometry(stride, columns, rows);
            outputs.Add(new DecoderOutput(levels[i].ScoresOutput, [columns * rows, labels.Count]));
            outputs.Add(new DecoderOutput(levels[i].BoxesOutput, [columns * rows, Sides * _bins]));
        }

        Outputs = outputs;
    }

    public IReadOnlyList<DecoderOutput> Outputs { get; }

    public int ClassCount => _labels.Count;

    public void Decode(
        ReadOnlySpan<ReadOnlyMemory<float>> outputs,
        in LetterboxTransform transform,
        ReadOnlySpan<float> classScoreThresholds,
        List<Detection> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (outputs.Length != Outputs.Count)
        {
            throw new ArgumentException($"expected {Outputs.Count} outputs, got {outputs.Length}", nameof(outputs));
        }

        var classCount = _labels.Count;
        if (classScoreThresholds.Length != classCount)
        {
            throw new ArgumentException($"expected {classCount} thresholds, got {classScoreThresholds.Length}", nameof(classScoreThresholds));
        }

        var lowestThreshold = ScoreThresholds.Lowest(classScoreThresholds);

        var boxRowLength = Sides * _bins;
        for (var level = 0; level < _levels.Length; level++)
        {
            var geometry = _levels[level];
            var scores = outputs[2 * level].Span;
            var boxes = outputs[2 * level + 1].Span;
            var cells = geometry.Columns * geometry.Rows;
            if (scores.Length != cells * classCount || boxes.Length != cells * boxRowLength)
            {
                throw new ArgumentException($"outputs of stride {geometry.Stride} do not hold {cells} cells");
            }

            for (var cell = 0; cell < cells; cell++)
            {
                var cellScores = scores.Slice(cell * classCount, classCount);

                // Almost every cell is background: rule it out on its scores before any softmax.
                if (!AnyAtLeast(cellScores, lowestThreshold))
                {
                    continue;
                }

                var distributions = boxes.Slice(cell * boxRowLength, boxRowLength);
                var stride = geometry.Stride;
                var centreX = ((cell % geometry.Columns) + 0.5f) * stride;
                var centreY = ((cell / geometry.Columns) + 0.5f) * stride;
                var x1 = transform.ToSourceX(centreX - stride * Expectation(distributions[.._bins]));
                var y1 = transform.ToSourceY(centreY - stride * Expectation(distributions.Slice(_bins, _bins)));
                var x2 = transform.ToSourceX(centreX + stride * Expectation(distributions.Slice(2 * _bins, _bins)));
                var y2 = transform.ToSourceY(centreY + stride * Expectation(distributions.Slice(3 * _bins, _bins)));

                // A box lying wholly in the padding collapses to a line when clamped to the image.
                if (!(x2 > x1) || !(y2 > y1))
                {
                    continue;
                }

                for (var classId = 0; classId < classCount; classId++)
                {
                    var score = cellScores[classId];
                    if (score >= classScoreThresholds[classId])
                    {
                        candidates.Add(new Detection(classId, _labels[classId], score, x1, y1, x2, y2));
                    }
                }
            }
        }
    }

    /// <summary>Σ i·softmax(bins)_i: the distance, in strides, that a side's distribution predicts.</summary>
    internal static float Expectation(ReadOnlySpan<float> logits)
    {
        var max = Max(logits);
        var sum = 0f;
        var weighted = 0f;
        for (var i = 0; i < logits.Length; i++)
        {
            var e = MathF.Exp(logits[i] - max);
            sum += e;
            weighted += i * e;
        }

        return weighted / sum;
    }

    /// <summary>Whether any value reaches <paramref name="threshold"/>: a vector compare per 8 or 16 scores.</summary>
    private static bool AnyAtLeast(ReadOnlySpan<float> values, float threshold)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var limit = new Vector<float>(threshold);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                if (Vector.GreaterThanOrEqualAny(new Vector<float>(values[i..]), limit))
                {
                    return true;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (values[i] >= threshold)
            {
                return true;
            }
        }

        return false;
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var value in values)
        {
            max = MathF.Max(max, value);
        }

        return max;
    }

    private readonly record struct LevelGeometry(int Stride, int Columns, int Rows);
}
