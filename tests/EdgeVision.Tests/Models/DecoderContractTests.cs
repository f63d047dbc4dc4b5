using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

/// <summary>A box a test wants a model to have found: class, score and corners in the network input's pixels.</summary>
public readonly record struct TrueBox(int ClassId, float Score, float X1, float Y1, float X2, float Y2);

/// <summary>
/// What every decoder must do, run against each family: given outputs that encode known boxes in the family's
/// layout, decode exactly those boxes (class, score, corners mapped back through the letterbox), respect each
/// class's threshold, drop boxes lying in the padding, work for any class count, and refuse outputs of the wrong
/// size. Each family's class supplies the decoder and writes boxes in its layout.
/// </summary>
public abstract class DecoderContractTests
{
    protected const int InputWidth = 320;
    protected const int InputHeight = 256;

    /// <summary>The decoder for <paramref name="labels"/>, and its output buffers holding <paramref name="boxes"/> (and nothing else above 0.01).</summary>
    protected abstract (IDetectionDecoder Decoder, float[][] Outputs) Encode(IReadOnlyList<string> labels, IReadOnlyList<TrueBox> boxes);

    // Boxes every family can represent exactly: NanoDet's come from a cell centre at whole strides of 8.
    private static readonly TrueBox[] Boxes =
    [
        new(0, 0.9f, 68, 36, 100, 92),
        new(2, 0.7f, 196, 100, 260, 148),
        new(1, 0.55f, 12, 180, 60, 244),
    ];

    [Theory]
    [InlineData(3)]
    [InlineData(80)]
    public void Decode_KnownBoxes_ComeBackInSourcePixelsWithClassAndScore(int classCount)
    {
        var labels = Enumerable.Range(0, classCount).Select(i => $"class {i}").ToArray();
        var (decoder, outputs) = Encode(labels, Boxes);

        // A 640×400 source letterboxed into 320×256: scale 0.5, 3 px of padding above and below.
        var transform = LetterboxTransform.For(640, 400, InputWidth, InputHeight);
        var found = Decode(decoder, outputs, transform, Enumerable.Repeat(0.3f, classCount).ToArray());

        Assert.Equal(Boxes.Length, found.Count);
        foreach (var expected in Boxes)
        {
            var match = Assert.Single(found, d => d.ClassId == expected.ClassId);
            Assert.Equal(labels[expected.ClassId], match.Label);
            Assert.Equal(expected.Score, match.Score, 1e-4f);
            Assert.Equal(transform.ToSourceX(expected.X1), match.X1, 0.05f);
            Assert.Equal(transform.ToSourceY(expected.Y1), match.Y1, 0.05f);
            Assert.Equal(transform.ToSourceX(expected.X2), match.X2, 0.05f);
            Assert.Equal(transform.ToSourceY(expected.Y2), match.Y2, 0.05f);
        }
    }

    [Fact]
    public void Decode_PerClassThresholds_OnlyBoxesAtOrAboveTheirClassesThreshold()
    {
        var labels = new[] { "a", "b", "c" };
        var (decoder, outputs) = Encode(labels, Boxes);

        var found = Decode(decoder, outputs, LetterboxTransform.For(InputWidth, InputHeight, InputWidth, InputHeight), [0.95f, 0.5f, 0.7f]);

        Assert.Equal([1, 2], found.Select(d => d.ClassId).Order());
    }

    [Fact]
    public void Decode_BoxInThePadding_Dropped()
    {
        // A 320×100 source fills the input's middle 100 rows (78 px of padding above): a box in rows 20–60 is padding only.
        var (decoder, outputs) = Encode(["a", "b", "c"], [new TrueBox(0, 0.9f, 68, 20, 100, 60)]);

        var found = Decode(decoder, outputs, LetterboxTransform.For(320, 100, InputWidth, InputHeight), [0.3f, 0.3f, 0.3f]);

        Assert.Empty(found);
    }

    [Fact]
    public void Decode_WrongOutputsOrThresholds_ArgumentException()
    {
        var (decoder, outputs) = Encode(["a", "b", "c"], Boxes);
        var transform = LetterboxTransform.For(InputWidth, InputHeight, InputWidth, InputHeight);

        Assert.Throws<ArgumentException>(() => decoder.Decode(outputs.Select(o => new ReadOnlyMemory<float>(o)).ToArray(), transform, new float[2], []));
        var shorter = outputs.Select(o => new ReadOnlyMemory<float>(o, 0, o.Length - 1)).ToArray();
        Assert.Throws<ArgumentException>(() => decoder.Decode(shorter, transform, new float[3], []));
    }

    private static List<Detection> Decode(IDetectionDecoder decoder, float[][] outputs, LetterboxTransform transform, float[] thresholds)
    {
        Assert.Equal(decoder.Outputs.Select(o => o.ItemLength), outputs.Select(o => o.Length));
        var candidates = new List<Detection>();
        decoder.Decode(outputs.Select(o => new ReadOnlyMemory<float>(o)).ToArray(), transform, thresholds, candidates);
        return candidates;
    }
}

public sealed class NanoDetDecoderContractTests : DecoderContractTests
{
    private const int RegMax = 7;
    private static readonly int[] Strides = [8, 16, 32];

    protected override (IDetectionDecoder, float[][]) Encode(IReadOnlyList<string> labels, IReadOnlyList<TrueBox> boxes)
    {
        var decoder = new NanoDetDecoder(InputWidth, InputHeight, Strides.Select(s => new NanoDetLevel(s, $"scores{s}", $"boxes{s}")).ToArray(), RegMax, labels);
        var outputs = decoder.Outputs.Select(o => new float[o.ItemLength]).ToArray();
        foreach (var box in boxes)
        {
            // On the stride-8 level, at the cell whose centre is 4 px off a multiple of 8 inside the box.
            const int stride = 8;
            var columns = (InputWidth + stride - 1) / stride;
            var cx = box.X1 + (stride * 2) - 4;
            var cy = box.Y1 + (stride * 2) - 4;
            var cell = ((int)(cy / stride) * columns) + (int)(cx / stride);
            var centreX = ((cell % columns) + 0.5f) * stride;
            var centreY = ((cell / columns) + 0.5f) * stride;
            outputs[0][(cell * labels.Count) + box.ClassId] = box.Score;
            float[] distances = [(centreX - box.X1) / stride, (centreY - box.Y1) / stride, (box.X2 - centreX) / stride, (box.Y2 - centreY) / stride];
            for (var side = 0; side < 4; side++)
            {
                // A distance between two bins is the softmax expectation of logits that share it between them.
                var row = outputs[1].AsSpan((cell * 4 * (RegMax + 1)) + (side * (RegMax + 1)), RegMax + 1);
                row.Fill(-100);
                var low = (int)MathF.Floor(distances[side]);
                var part = distances[side] - low;
                row[low] = part < 1 ? MathF.Log(1 - part) : -100;
                if (part > 0)
                {
                    row[low + 1] = MathF.Log(part);
                }
            }
        }

        return (decoder, outputs);
    }
}

public sealed class YoloV5DecoderContractTests : DecoderContractTests
{
    protected override (IDetectionDecoder, float[][]) Encode(IReadOnlyList<string> labels, IReadOnlyList<TrueBox> boxes)
    {
        const int rows = 300;
        var decoder = new YoloV5Decoder("output0", rows, labels);
        var values = new float[decoder.Outputs[0].ItemLength];
        var width = 5 + labels.Count;
        for (var i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            var row = values.AsSpan((i * 37) * width, width);
            row[0] = (b.X1 + b.X2) / 2;
            row[1] = (b.Y1 + b.Y2) / 2;
            row[2] = b.X2 - b.X1;
            row[3] = b.Y2 - b.Y1;
            row[4] = 1f;
            row[5 + b.ClassId] = b.Score;

            // A second class scored low on the same box, and an objectness that hides a high class score elsewhere.
            row[5 + ((b.ClassId + 1) % labels.Count)] = 0.01f;
            values[(((i * 37) + 1) * width) + 4] = 0.2f;
            values[(((i * 37) + 1) * width) + 5] = 0.99f;
        }

        return (decoder, [values]);
    }
}

public sealed class YoloV8DecoderContractTests : DecoderContractTests
{
    protected override (IDetectionDecoder, float[][]) Encode(IReadOnlyList<string> labels, IReadOnlyList<TrueBox> boxes)
    {
        const int n = 420;
        var decoder = new YoloV8Decoder("output0", n, labels);
        var values = new float[decoder.Outputs[0].ItemLength];
        for (var i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            var column = (i * 101) + 7;
            values[column] = (b.X1 + b.X2) / 2;
            values[n + column] = (b.Y1 + b.Y2) / 2;
            values[(2 * n) + column] = b.X2 - b.X1;
            values[(3 * n) + column] = b.Y2 - b.Y1;
            values[((4 + b.ClassId) * n) + column] = b.Score;
        }

        return (decoder, [values]);
    }
}

public sealed class EndToEndDecoderContractTests : DecoderContractTests
{
    protected override (IDetectionDecoder, float[][]) Encode(IReadOnlyList<string> labels, IReadOnlyList<TrueBox> boxes)
    {
        const int k = 100;
        var decoder = new EndToEndDecoder("output0", k, labels);
        var values = new float[decoder.Outputs[0].ItemLength];
        for (var i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            b.Deconstruct(out var classId, out var score, out var x1, out var y1, out var x2, out var y2);
            new[] { x1, y1, x2, y2, score, classId }.CopyTo(values, i * 6);
        }

        // Rows past the detections: zeros, and one with a class id beyond the labels.
        new float[] { 1, 1, 50, 50, 0.9f, labels.Count + 5 }.CopyTo(values, 10 * 6);
        return (decoder, [values]);
    }

    [Fact]
    public void SkipsNonMaxSuppression_True()
    {
        Assert.True(((IDetectionDecoder)new EndToEndDecoder("o", 1, ["a"])).SkipsNonMaxSuppression);
        Assert.False(((IDetectionDecoder)new YoloV8Decoder("o", 1, ["a"])).SkipsNonMaxSuppression);
    }
}

public sealed class CenterNetDecoderContractTests : DecoderContractTests
{
    private const int Stride = 4;
    private const int Columns = InputWidth / Stride;
    private const int Rows = InputHeight / Stride;

    protected override (IDetectionDecoder, float[][]) Encode(IReadOnlyList<string> labels, IReadOnlyList<TrueBox> boxes) =>
        (new CenterNetDecoder(InputWidth, InputHeight, Stride, "heat", "sizes", 100, labels), Write(labels.Count, boxes));

    /// <summary>
    /// Each box as a peak at the cell nearest its centre with the sides' distances from the cell's point, and a
    /// shoulder around it (half the peak's score on the 8 neighbours) that must not come out as boxes of its own.
    /// </summary>
    private static float[][] Write(int classes, IReadOnlyList<TrueBox> boxes)
    {
        var heat = new float[Rows * Columns * classes];
        var sizes = new float[Rows * Columns * 4];
        foreach (var b in boxes)
        {
            var column = (int)MathF.Round((b.X1 + b.X2) / 2 / Stride);
            var row = (int)MathF.Round((b.Y1 + b.Y2) / 2 / Stride);
            for (var r = row - 1; r <= row + 1; r++)
            {
                for (var c = column - 1; c <= column + 1; c++)
                {
                    heat[(((r * Columns) + c) * classes) + b.ClassId] = r == row && c == column ? b.Score : b.Score / 2;
                }
            }

            new[] { (column * Stride) - b.X1, (row * Stride) - b.Y1, b.X2 - (column * Stride), b.Y2 - (row * Stride) }
                .CopyTo(sizes, ((row * Columns) + column) * 4);
        }

        return [heat, sizes];
    }

    private static List<Detection> DecodeAll(CenterNetDecoder decoder, float[][] outputs, float threshold)
    {
        var found = new List<Detection>();
        decoder.Decode(
            outputs.Select(o => new ReadOnlyMemory<float>(o)).ToArray(),
            LetterboxTransform.For(InputWidth, InputHeight, InputWidth, InputHeight),
            Enumerable.Repeat(threshold, decoder.ClassCount).ToArray(),
            found);
        return found;
    }

    [Fact]
    public void Decode_Neighbours_OnlyAHigherScoreOfTheSameClassHidesAPeak()
    {
        var decoder = new CenterNetDecoder(InputWidth, InputHeight, Stride, "heat", "sizes", 100, ["a", "b"]);
        var outputs = Write(2, [new TrueBox(0, 0.8f, 40, 40, 60, 60)]);
        var heat = outputs[0];
        var cell = (((50 / Stride) * Columns) + (50 / Stride)) * 2;
        heat[cell + 1] = 0.9f; // class b on the same cell: a peak of its own, and no rival to class a
        heat[cell + 2 + 0] = 0.8f; // class a on the right neighbour, equal: both are peaks (the max-pool test keeps ties)
        var sizeCell = ((50 / Stride) * Columns) + (50 / Stride);
        outputs[1].AsSpan(sizeCell * 4, 4).CopyTo(outputs[1].AsSpan((sizeCell + 1) * 4, 4));

        var found = DecodeAll(decoder, outputs, 0.3f);

        Assert.Equal(2, found.Count(d => d.ClassId == 0 && d.Score == 0.8f));
        Assert.Single(found, d => d.ClassId == 1);
        Assert.Equal(3, found.Count);

        heat[cell + 2 + 0] = 0.85f; // now the neighbour beats the original peak, which is no longer one
        Assert.Single(DecodeAll(decoder, outputs, 0.3f), d => d.ClassId == 0 && d.Score == 0.85f);
    }

    [Fact]
    public void Decode_MorePeaksThanTheLimit_KeepsTheBest()
    {
        var decoder = new CenterNetDecoder(InputWidth, InputHeight, Stride, "heat", "sizes", 10, ["a"]);
        var boxes = Enumerable.Range(0, 30).Select(i => new TrueBox(0, 0.4f + (i * 0.01f), ((i % 10) * 28) + 8, ((i / 10) * 60) + 8, ((i % 10) * 28) + 24, ((i / 10) * 60) + 40)).ToList();

        var found = DecodeAll(decoder, Write(1, boxes), 0.3f);

        Assert.Equal(10, found.Count);
        Assert.Equal(boxes.Select(b => b.Score).OrderDescending().Take(10), found.Select(d => d.Score).OrderDescending());
    }
}
