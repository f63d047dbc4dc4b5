namespace EdgeVision.Tests.Models;

/// <summary>
/// Builds NanoDet head outputs (416×416 input, strides 8/16/32, reg_max 10, 80 classes) that decode to
/// chosen boxes: the inverse of the decoder, used to give it and the detector exactly known answers.
/// </summary>
internal sealed class NanoDetHeadEncoding
{
    public const int InputSize = 416;
    public const int ClassCount = 80;
    public const int Bins = 11;
    public static readonly int[] Strides = [8, 16, 32];

    public NanoDetHeadEncoding()
    {
        Scores = Strides.Select(stride => new float[Cells(stride) * ClassCount]).ToArray();

        // Every side peaked on bin 0 (distance 0) unless a cell is given a box: such cells have no area.
        Boxes = Strides.Select(stride => Enumerable.Repeat(-1e4f, Cells(stride) * 4 * Bins).ToArray()).ToArray();
        foreach (var boxes in Boxes)
        {
            for (var i = 0; i < boxes.Length; i += Bins)
            {
                boxes[i] = 0f;
            }
        }
    }

    /// <summary>Per stride: [cells × 80] sigmoid scores.</summary>
    public float[][] Scores { get; }

    /// <summary>Per stride: [cells × 44] side logits.</summary>
    public float[][] Boxes { get; }

    public static int Columns(int stride) => InputSize / stride;

    public static int Cells(int stride) => Columns(stride) * Columns(stride);

    /// <summary>
    /// Makes cell (row, column) of the given stride predict a box whose sides lie at the given distances,
    /// in strides, from the cell's centre (each in [0, 10]), with <paramref name="score"/> for <paramref name="classId"/>.
    /// </summary>
    public void SetCell(int strideIndex, int row, int column, int classId, float score, float left, float top, float right, float bottom)
    {
        var stride = Strides[strideIndex];
        var cell = row * Columns(stride) + column;
        Scores[strideIndex][cell * ClassCount + classId] = score;
        var sides = Boxes[strideIndex].AsSpan(cell * 4 * Bins, 4 * Bins);
        EncodeDistance(sides[..Bins], left);
        EncodeDistance(sides.Slice(Bins, Bins), top);
        EncodeDistance(sides.Slice(2 * Bins, Bins), right);
        EncodeDistance(sides.Slice(3 * Bins, Bins), bottom);
    }

    /// <summary>The six outputs in the order of the manifest: scores 8/16/32, then boxes 8/16/32.</summary>
    public IReadOnlyList<(string Name, int[] ItemShape, float[] Values)> Outputs =>
    [
        ("Identity", [Cells(8), ClassCount], Scores[0]),
        ("Identity_1", [Cells(16), ClassCount], Scores[1]),
        ("Identity_2", [Cells(32), ClassCount], Scores[2]),
        ("Identity_3", [Cells(8), 4 * Bins], Boxes[0]),
        ("Identity_4", [Cells(16), 4 * Bins], Boxes[1]),
        ("Identity_5", [Cells(32), 4 * Bins], Boxes[2]),
    ];

    /// <summary>
    /// Logits whose softmax puts 1 − f on bin ⌊d⌋ and f on the next: its expectation is d. Bins that get no
    /// weight have a logit so low that exp underflows to exactly 0.
    /// </summary>
    private static void EncodeDistance(Span<float> logits, float distance)
    {
        logits.Fill(-1e4f);
        var lower = (int)MathF.Floor(distance);
        var fraction = distance - lower;
        if (fraction == 0f)
        {
            logits[lower] = 0f;
            return;
        }

        logits[lower] = MathF.Log(1f - fraction);
        logits[lower + 1] = MathF.Log(fraction);
    }
}
