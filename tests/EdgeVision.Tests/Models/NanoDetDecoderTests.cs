using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

public sealed class NanoDetDecoderTests
{
    private static readonly string[] Labels = File.ReadAllLines(RepositoryFiles.Path("models/coco80.labels"));

    private readonly NanoDetDecoder _decoder = new(
        416,
        416,
        [new NanoDetLevel(8, "Identity", "Identity_3"), new NanoDetLevel(16, "Identity_1", "Identity_4"), new NanoDetLevel(32, "Identity_2", "Identity_5")],
        regMax: 10,
        Labels);

    private readonly LetterboxTransform _identity = LetterboxTransform.For(416, 416, 416, 416);
    private readonly List<Detection> _candidates = [];

    [Fact]
    public void Outputs_NanoDetG_AreTheSixHeadTensorsInManifestOrder()
    {
        Assert.Equal(
            new[] { "Identity:2704x80", "Identity_3:2704x44", "Identity_1:676x80", "Identity_4:676x44", "Identity_2:169x80", "Identity_5:169x44" },
            _decoder.Outputs.Select(o => $"{o.Name}:{string.Join('x', o.ItemShape)}"));
    }

    [Fact]
    public void Decode_CellEncodingFractionalDistances_ReturnsExactBox()
    {
        // Stride 16, cell (row 10, col 7): centre (120, 168). Sides 0.3, 2.7, 9.95, 4.5 strides.
        var head = new NanoDetHeadEncoding();
        head.SetCell(1, row: 10, column: 7, classId: 16, score: 0.72f, left: 0.3f, top: 2.7f, right: 9.95f, bottom: 4.5f);

        _decoder.Decode(Outputs(head), _identity, Thresholds(0.35f), _candidates);

        var dog = Assert.Single(_candidates);
        Assert.Equal((16, "dog", 0.72f), (dog.ClassId, dog.Label, dog.Score));
        Assert.Equal(120f - 4.8f, dog.X1, 1e-3f);
        Assert.Equal(168f - 43.2f, dog.Y1, 1e-3f);
        Assert.Equal(120f + 159.2f, dog.X2, 1e-3f);
        Assert.Equal(168f + 72f, dog.Y2, 1e-3f);
    }

    [Fact]
    public void Decode_LetterboxedSource_MapsBackAndClampsToTheImage()
    {
        // 768×576 source: scale 13/24, padY 52. Stride 32 cell (row 2, col 12): centre (400, 80);
        // sides 1, 1, 2, 3 strides → network (368, 48, 464, 176): x2 past the input, y1 in the padding.
        var head = new NanoDetHeadEncoding();
        head.SetCell(2, row: 2, column: 12, classId: 0, score: 0.5f, left: 1f, top: 1f, right: 2f, bottom: 3f);
        var transform = LetterboxTransform.For(768, 576, 416, 416);

        _decoder.Decode(Outputs(head), transform, Thresholds(0.35f), _candidates);

        var person = Assert.Single(_candidates);
        Assert.Equal(368f * 24f / 13f, person.X1, 1e-3f);
        Assert.Equal(0f, person.Y1);
        Assert.Equal(768f, person.X2);
        Assert.Equal((176f - 52f) * 24f / 13f, person.Y2, 1e-3f);
    }

    [Fact]
    public void Decode_PerClassThresholds_KeepsEachClassAtOrAboveItsOwn()
    {
        // One cell scoring person 0.4 and car 0.4: person needs 0.5, car 0.3.
        var head = new NanoDetHeadEncoding();
        head.SetCell(0, row: 5, column: 5, classId: 0, score: 0.4f, left: 1f, top: 1f, right: 1f, bottom: 1f);
        head.SetCell(0, row: 5, column: 5, classId: 2, score: 0.4f, left: 1f, top: 1f, right: 1f, bottom: 1f);
        var thresholds = Thresholds(0.35f);
        thresholds[0] = 0.5f;
        thresholds[2] = 0.3f;

        _decoder.Decode(Outputs(head), _identity, thresholds, _candidates);

        var car = Assert.Single(_candidates);
        Assert.Equal(2, car.ClassId);
    }

    [Fact]
    public void Decode_ScoreBelowThreshold_ReturnsNothing()
    {
        var head = new NanoDetHeadEncoding();
        head.SetCell(0, row: 5, column: 5, classId: 0, score: 0.34f, left: 1f, top: 1f, right: 1f, bottom: 1f);

        _decoder.Decode(Outputs(head), _identity, Thresholds(0.35f), _candidates);

        Assert.Empty(_candidates);
    }

    [Fact]
    public void Decode_BoxWhollyInPadding_IsDropped()
    {
        // 768×576 puts rows 0–51 in padding; stride 8 cell (row 2, col 10) with 1-stride sides spans y 8–24.
        var head = new NanoDetHeadEncoding();
        head.SetCell(0, row: 2, column: 10, classId: 0, score: 0.9f, left: 1f, top: 1f, right: 1f, bottom: 1f);

        _decoder.Decode(Outputs(head), LetterboxTransform.For(768, 576, 416, 416), Thresholds(0.35f), _candidates);

        Assert.Empty(_candidates);
    }

    [Fact]
    public void Expectation_UniformLogits_IsTheMiddleBin()
    {
        Assert.Equal(5f, NanoDetDecoder.Expectation(new float[11]), 1e-5f);
    }

    private static ReadOnlyMemory<float>[] Outputs(NanoDetHeadEncoding head) =>
        [head.Scores[0], head.Boxes[0], head.Scores[1], head.Boxes[1], head.Scores[2], head.Boxes[2]];

    private static float[] Thresholds(float value) => Enumerable.Repeat(value, Labels.Length).ToArray();
}
