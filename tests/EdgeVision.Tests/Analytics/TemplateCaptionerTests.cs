using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class TemplateCaptionerTests
{
    private static readonly ObjectColours RedTop = new("red", null, null);
    private static readonly ObjectColours BlueTopBlackTrousers = new("blue", "black", "black");

    private readonly TemplateCaptioner _captioner = new();

    public static TheoryData<CaptionFacts, string> Examples => new()
    {
        {
            new(CaptionEventKind.EnteredZone, "person") { Colours = RedTop, Zone = "path", Heading = CaptionHeading.Right },
            "A person in a red top entered zone 'path' heading right."
        },
        {
            new(CaptionEventKind.CrossedLine, "car") { Line = "gate", LineDirection = CaptionLineDirection.In },
            "A car crossed line 'gate' inbound."
        },
        {
            new(CaptionEventKind.Appeared, "person") { Colours = BlueTopBlackTrousers, Speed = CaptionSpeed.Walking, Heading = CaptionHeading.Left },
            "A person in a blue top and black trousers appeared, walking left."
        },
        {
            new(CaptionEventKind.LeftZone, "person") { Zone = "path", DwellSeconds = 12.4 },
            "A person left zone 'path' after 12 s."
        },
        {
            new(CaptionEventKind.Appeared, "person") { Count = 2, Colours = BlueTopBlackTrousers, Zone = "path" },
            "2 people in blue tops and black trousers appeared in zone 'path'."
        },
        {
            new(CaptionEventKind.Appeared, "person") { Colours = new(null, "grey", "grey") },
            "A person in grey trousers appeared."
        },
        {
            new(CaptionEventKind.Appeared, "person") { Colours = new(null, null, "white") },
            "A person in white appeared."
        },
        {
            new(CaptionEventKind.Appeared, "person") { Colours = new("orange", null, "orange"), Speed = CaptionSpeed.Fast },
            "A person in an orange top appeared, moving fast."
        },
        {
            new(CaptionEventKind.Appeared, "car") { Colours = new("red", "blue", "orange"), Speed = CaptionSpeed.Walking, Heading = CaptionHeading.UpRight },
            "An orange car appeared, moving at walking pace up-right."
        },
        {
            new(CaptionEventKind.EnteredZone, "truck") { Count = 3, Colours = new(null, null, "white"), Zone = "yard", Speed = CaptionSpeed.Slow, Heading = CaptionHeading.Down },
            "3 white trucks entered zone 'yard', moving slowly down."
        },
        {
            new(CaptionEventKind.EnteredZone, "bus") { Speed = CaptionSpeed.Stationary, Heading = CaptionHeading.Left },
            "A bus entered a zone, stationary."
        },
        {
            new(CaptionEventKind.CrossedLine, "bicycle") { Line = "gate", LineDirection = CaptionLineDirection.Out, Heading = CaptionHeading.DownLeft },
            "A bicycle crossed line 'gate' outbound heading down-left."
        },
        {
            new(CaptionEventKind.CrossedLine, "dog") { LineDirection = CaptionLineDirection.In },
            "A dog crossed a line inbound."
        },
        {
            new(CaptionEventKind.Stationary, "person") { Zone = "door", DwellSeconds = 40 },
            "A person is standing still in zone 'door', 40 s after entering it."
        },
        {
            new(CaptionEventKind.Stationary, "car") { Count = 2, DwellSeconds = 125.5 },
            "2 cars are stationary, 2 min 6 s after appearing."
        },
        {
            new(CaptionEventKind.Stationary, "truck") { Colours = new(null, null, "red"), Speed = CaptionSpeed.Fast },
            "A red truck is stationary."
        },
        {
            new(CaptionEventKind.Ended, "person") { Colours = RedTop, DwellSeconds = 3600 },
            "A person in a red top left the view after 1 h."
        },
        {
            new(CaptionEventKind.Ended, "car") { Zone = "drive", DwellSeconds = 3725 },
            "A car left the view from zone 'drive', 1 h 2 min after entering it."
        },
        {
            new(CaptionEventKind.LeftZone, "skis") { Colours = new(null, null, "yellow"), Zone = "slope", DwellSeconds = 120, Speed = CaptionSpeed.Fast, Heading = CaptionHeading.Down },
            "A pair of yellow skis left zone 'slope' after 2 min, moving fast down."
        },
        {
            new(CaptionEventKind.Appeared, "elephant") { Heading = CaptionHeading.Up },
            "An elephant appeared heading up."
        },
        {
            new(CaptionEventKind.Appeared, "sheep") { Count = 5 },
            "5 sheep appeared."
        },
        {
            new(CaptionEventKind.Appeared, "") { Zone = " ", Colours = new(" ", null, "") },
            "An object appeared."
        },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Caption_Facts_ExactSentence(CaptionFacts facts, string expected)
    {
        Assert.Equal(expected, TemplateCaptioner.Caption(facts));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Caption_Examples_CheckerFindsNothingUnsupported(CaptionFacts facts, string expected)
    {
        if (string.IsNullOrWhiteSpace(facts.Label))
        {
            return; // "object" is no COCO label, so the checker has no noun to read it by.
        }

        Assert.Empty(CaptionFactsChecker.Check(expected, facts));
    }

    [Fact]
    public async Task CaptionAsync_SameAsCaption()
    {
        var facts = new CaptionFacts(CaptionEventKind.EnteredZone, "person") { Colours = RedTop, Zone = "path", Heading = CaptionHeading.Right };

        Assert.Equal("A person in a red top entered zone 'path' heading right.", await _captioner.CaptionAsync(facts, CancellationToken.None));
    }

    [Fact]
    public void Caption_ZeroCount_Throws()
    {
        var facts = new CaptionFacts(CaptionEventKind.Appeared, "car") { Count = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(() => TemplateCaptioner.Caption(facts));
    }

    public static TheoryData<SceneFacts, string> Scenes => new()
    {
        {
            new([new("truck", 1), new("person", 3)], [new("path", [new("person", 2)])]),
            "3 people and 1 truck in view; 2 people in zone 'path'."
        },
        {
            new([new("car", 2), new("person", 2), new("bicycle", 1), new("car", 1)], []),
            "3 cars, 2 people and 1 bicycle in view."
        },
        {
            new([new("person", 1)], [new("road", []), new("door", [new("person", 1), new("dog", 0)])]),
            "1 person in view; 1 person in zone 'door'."
        },
        {
            new([], []),
            "Nothing in view."
        },
        {
            new([new("skis", 2), new("sheep", 1)], [new("yard", [new("sheep", 1)]), new("slope", [new("skis", 2)])]),
            "2 pairs of skis and 1 sheep in view; 2 pairs of skis in zone 'slope'; 1 sheep in zone 'yard'."
        },
    };

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Summarize_Scene_ExactSentence(SceneFacts scene, string expected)
    {
        Assert.Equal(expected, TemplateCaptioner.Summarize(scene));
    }

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Summarize_Scene_CheckerFindsNothingUnsupported(SceneFacts scene, string expected)
    {
        Assert.Empty(CaptionFactsChecker.CheckSummary(expected, scene));
    }

    [Fact]
    public void Summarize_ListsInAnyOrder_SameSentence()
    {
        var one = new SceneFacts([new("car", 1), new("bus", 1), new("person", 4)], [new("b", [new("car", 1)]), new("a", [new("bus", 1)])]);
        var other = new SceneFacts([new("person", 4), new("car", 1), new("bus", 1)], [new("a", [new("bus", 1)]), new("b", [new("car", 1)])]);

        Assert.Equal("4 people, 1 bus and 1 car in view; 1 bus in zone 'a'; 1 car in zone 'b'.", TemplateCaptioner.Summarize(one));
        Assert.Equal(TemplateCaptioner.Summarize(one), TemplateCaptioner.Summarize(other));
    }
}
