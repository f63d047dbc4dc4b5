using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Analytics;

public sealed class LabelNounTests
{
    [Fact]
    public void CocoTable_CoversExactlyTheModelsLabels()
    {
        var labels = File.ReadAllLines(Path.Combine(RepositoryPaths.Models, "coco80.labels")).Where(l => l.Length > 0).ToList();

        Assert.Equal(80, labels.Count);
        Assert.Equal(labels.Order(StringComparer.Ordinal), CocoNouns.Phrases.Keys.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string> CocoLabels => [.. CocoNouns.Phrases.Keys];

    [Theory]
    [MemberData(nameof(CocoLabels))]
    public void Phrase_EachCocoLabel_OneAndTwoReadAsWritten(string label)
    {
        var noun = LabelNoun.For(label);

        Assert.Equal(CocoNouns.Phrases[label], (noun.Phrase(1), noun.Phrase(2)));
    }

    [Theory]
    [InlineData("car", "orange", 1, "an orange car")]
    [InlineData("umbrella", "red", 1, "a red umbrella")]
    [InlineData("umbrella", null, 1, "an umbrella")]
    [InlineData("skis", "blue", 1, "a pair of blue skis")]
    [InlineData("scissors", "orange", 3, "3 pairs of orange scissors")]
    [InlineData("broccoli", "dark green", 2, "2 heads of dark green broccoli")]
    [InlineData("tv", "black", 1, "a black TV")]
    [InlineData("bus", "yellow", 12, "12 yellow buses")]
    public void Phrase_WithColour_ColourStandsBeforeTheNounAndAfterAnyMeasure(string label, string? colour, int count, string expected)
    {
        Assert.Equal(expected, LabelNoun.For(label).Phrase(count, colour));
    }

    [Fact]
    public void Phrase_OneInATally_IsWrittenAsDigit()
    {
        Assert.Equal("1 truck", LabelNoun.For("truck").Phrase(1, articleForOne: false));
        Assert.Equal("1 pair of skis", LabelNoun.For("skis").Phrase(1, articleForOne: false));
    }

    [Fact]
    public void Phrase_ZeroCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelNoun.For("car").Phrase(0));
    }

    [Theory]
    [InlineData("forklift", "forklifts")]
    [InlineData("delivery box", "delivery boxes")]
    [InlineData("strawberry", "strawberries")]
    [InlineData("donkey", "donkeys")]
    [InlineData("police person", "police people")]
    [InlineData("", "objects")]
    public void For_LabelOutsideCoco_TakesRegularRulesOnLastWord(string label, string plural)
    {
        Assert.Equal(plural, LabelNoun.For(label).Plural);
    }

    [Theory]
    [InlineData("elephant", "an")]
    [InlineData("umbrella", "an")]
    [InlineData("unicycle", "a")]
    [InlineData("European car", "a")]
    [InlineData("hour", "an")]
    [InlineData("horse", "a")]
    [InlineData("TV", "a")]
    public void IndefiniteArticle_BySoundOfFirstWord(string phrase, string expected)
    {
        Assert.Equal(expected, LabelNoun.IndefiniteArticle(phrase));
    }
}
