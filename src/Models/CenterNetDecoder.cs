using System.Numerics;

namespace EdgeVision.Models;

/// <summary>
/// Decodes a CenterNet head: a heat map <c>[H/stride, W/stride, classes]</c> of sigmoid scores (channels last)
/// and a size map <c>[H/stride, W/stride, 4]</c> holding, per cell, the distances in input pixels from the
/// cell's point (col·stride, row·stride) to the box's left, top, right and bottom sides. An object is a peak:
/// a score no neighbour of the same class beats in its 3×3 window (the max-pool test of the original graph).
/// At most <see cref="MaxPeaks"/> peaks per image are kept, the best first, as the original's top-K does.
/// </summary>
internal sealed class CenterNetDecoder : IDetectionDecoder
{
    private const int Sides = 4;

    private readonly IReadOnlyList<string> _labels;
    private readonly int _stride;
    private readonly int _columns;
    private readonly int _rows;

    public CenterNetDecoder(int inputWidth, int inputHeight, int stride, string heatMapOutput, string sizeOutput, int maxPeaks, IReadOnlyList<string> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPeaks);
        ArgumentException.ThrowIfNullOrEmpty(heatMapOutput);
        ArgumentException.ThrowIfNullOrEmpty(sizeOutput);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0)
        {
            throw new ArgumentException("a detector needs at least one label", nameof(labels));
        }

        _labels = labels;
        _stride = stride;
        _columns = inputWidth / stride;
        _rows = inputHeight / stride;
        MaxPeaks = maxPeaks;
        Outputs = [new DecoderOutput(heatMapOutput, [_rows, _columns, labels.Count]), new DecoderOutput(sizeOutput, [_rows, _columns, Sides])];
    }

    public IReadOnlyList<DecoderOutput> Outputs { get; }

    public int ClassCount => _labels.Count;

    /// <summary>The most objects one image can give (the original model's top-K).</summary>
    public int MaxPeaks { get; }

    public void Decode(ReadOnlySpan<ReadOnlyMemory<float>> outputs, in LetterboxTransform transform, ReadOnlySpan<float> classScoreThresholds, List<Detection> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (outputs.Length != Outputs.Count)
        {
            throw new ArgumentException($"expected {Outputs.Count} outputs, got {outputs.Length}", nameof(outputs));
        }

        var classes = _labels.Count;
        if (classScoreThresholds.Length != classes)
        {
            throw new ArgumentException($"expected {classes} thresholds, got {classScoreThresholds.Length}", nameof(classScoreThresholds));
        }

        var heat = outputs[0].Span;
        var sizes = outputs[1].Span;
        for (var i = 0; i < Outputs.Count; i++)
        {
            if (outputs[i].Length != Outputs[i].ItemLength)
            {
                throw new ArgumentException($"output {Outputs[i].Name} holds {outputs[i].Length} values, expected {Outputs[i].ItemLength}", nameof(outputs));
            }
        }

        var lowest = ScoreThresholds.Lowest(classScoreThresholds);

        var first = candidates.Count;
        var rowLength = _columns * classes;
        for (var row = 0; row < _rows; row++)
        {
            var line = heat.Slice(row * rowLength, rowLength);
            var start = 0;

            // Most of a heat map is near zero: whole vectors under the lowest threshold are skipped unread.
            if (Vector.IsHardwareAccelerated)
            {
                var floor = new Vector<float>(lowest);
                for (; start + Vector<float>.Count <= line.Length; start += Vector<float>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(new Vector<float>(line.Slice(start, Vector<float>.Count)), floor))
                    {
                        ScanRun(heat, sizes, row, line, start, start + Vector<float>.Count, classScoreThresholds, transform, candidates);
                    }
                }
            }

            ScanRun(heat, sizes, row, line, start, line.Length, classScoreThresholds, transform, candidates);
        }

        var found = candidates.Count - first;
        if (found > MaxPeaks)
        {
            candidates.Sort(first, found, ByScoreDescending.Instance);
            candidates.RemoveRange(first + MaxPeaks, found - MaxPeaks);
        }
    }

    private void ScanRun(
        ReadOnlySpan<float> heat,
        ReadOnlySpan<float> sizes,
        int row,
        ReadOnlySpan<float> line,
        int from,
        int to,
        ReadOnlySpan<float> thresholds,
        in LetterboxTransform transform,
        List<Detection> candidates)
    {
        var classes = _labels.Count;
        for (var i = from; i < to; i++)
        {
            var score = line[i];
            var column = i / classes;
            var classId = i - (column * classes);
            if (score < thresholds[classId] || !IsPeak(heat, row, column, classId, score))
            {
                continue;
            }

            var size = sizes.Slice(((row * _columns) + column) * Sides, Sides);
            var x = (float)(column * _stride);
            var y = (float)(row * _stride);
            var left = transform.ToSourceX(x - size[0]);
            var top = transform.ToSourceY(y - size[1]);
            var right = transform.ToSourceX(x + size[2]);
            var bottom = transform.ToSourceY(y + size[3]);
            if (right > left && bottom > top)
            {
                candidates.Add(new Detection(classId, _labels[classId], score, left, top, right, bottom));
            }
        }
    }

    /// <summary>No cell of the 3×3 window around (row, column) scores this class higher (equal scores are all peaks, as in the graph's max-pool test).</summary>
    private bool IsPeak(ReadOnlySpan<float> heat, int row, int column, int classId, float score)
    {
        var classes = _labels.Count;
        for (var r = Math.Max(0, row - 1); r <= Math.Min(_rows - 1, row + 1); r++)
        {
            for (var c = Math.Max(0, column - 1); c <= Math.Min(_columns - 1, column + 1); c++)
            {
                if (heat[(((r * _columns) + c) * classes) + classId] > score)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private sealed class ByScoreDescending : IComparer<Detection>
    {
        public static readonly ByScoreDescending Instance = new();

        public int Compare(Detection a, Detection b) => b.Score.CompareTo(a.Score);
    }
}
