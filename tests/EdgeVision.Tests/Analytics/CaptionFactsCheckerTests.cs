using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class CaptionFactsCheckerTests
{
    private static readonly CaptionFacts PersonEntersPath = new(CaptionEventKind.EnteredZone, "person")
    {
        Colours = new("red", "black", "red"),
        Zone = "path",
        Heading = CaptionHeading.Right,
    };

    [Fact]
    public void Check_EveryCaptionOfABroadGrid_NothingUnsupported()
    {
        ObjectColours?[] colours = [null, new("red", null, "red"), new("blue", "black", "black"), new(null, "grey", null), new(null, null, "orange"), new("light blue", "dark green", "white")];
        (string? Line, CaptionLineDirection? Direction)[] lines = [(null, null), ("gate", CaptionLineDirection.In), ("left 2", CaptionLineDirection.Out)];
        CaptionHeading?[] headings = [null, CaptionHeading.Left, CaptionHeading.UpRight];
        CaptionSpeed?[] speeds = [null, CaptionSpeed.Stationary, CaptionSpeed.Walking, CaptionSpeed.Fast];
        double?[] dwells = [null, 125.5, 3725];
        var checkedCaptions = 0;
        var failures = new List<string>();
        var grid =
            from kind in Enum.GetValues<CaptionEventKind>()
            from label in new[] { "person", "skis", "orange", "teddy bear" }
            from count in new[] { 1, 3 }
            from colour in colours
            from zone in new[] { null, "up 12" }
            from line in lines
            from heading in headings
            from speed in speeds
            from dwell in dwells
            select new CaptionFacts(kind, label)
            {
                Count = count, Colours = colour, Zone = zone, Line = line.Line, LineDirection = line.Direction,
                Heading = heading, Speed = speed, DwellSeconds = dwell,
            };
        foreach (var facts in grid)
        {
            var caption = TemplateCaptioner.Caption(facts);
            if (caption != TemplateCaptioner.Caption(facts with { }))
            {
                failures.Add("not deterministic: " + caption);
            }

            failures.AddRange(CaptionFactsChecker.Check(caption, facts).Select(p => $"{caption} → {p}"));
            checkedCaptions++;
        }

        Assert.Equal(6 * 4 * 2 * 6 * 2 * 3 * 3 * 4 * 3, checkedCaptions);
        Assert.Empty(failures);
    }

    [Fact]
    public void Check_EveryCocoLabelAndEvent_NothingUnsupported()
    {
        var failures = new List<string>();
        var grid =
            from label in CocoNouns.Phrases.Keys
            from kind in Enum.GetValues<CaptionEventKind>()
            from count in new[] { 1, 2 }
            select new CaptionFacts(kind, label) { Count = count, Colours = new("purple", "pink", "brown"), Zone = "z", Line = "l" };
        foreach (var facts in grid)
        {
            var caption = TemplateCaptioner.Caption(facts);
            failures.AddRange(CaptionFactsChecker.Check(caption, facts).Select(p => $"{caption} → {p}"));
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Check_TrueCaption_NothingUnsupported()
    {
        Assert.Empty(CaptionFactsChecker.Check("A person in a red top and black trousers entered zone 'path' heading right.", PersonEntersPath));
    }

    [Theory]
    [InlineData("A person in a green top and black trousers entered zone 'path' heading right.", "upper colour 'green': the facts say 'red'")]
    [InlineData("A person in a red top and blue trousers entered zone 'path' heading right.", "lower colour 'blue': the facts say 'black'")]
    [InlineData("A person in a red top entered zone 'path' heading right in a yellow hat.", "colour 'yellow' outside the subject")]
    [InlineData("A green person entered zone 'path' heading right.", "overall colour 'green': the facts say 'red'")]
    [InlineData("A person in a red top entered zone 'road' heading right.", "zone 'road': the facts say 'path'")]
    [InlineData("2 people in red tops entered zone 'path' heading right.", "count 2: the facts count 1")]
    [InlineData("A people entered zone 'path' heading right.", "'people' does not agree with count 1")]
    [InlineData("A person in red tops entered zone 'path' heading right.", "'tops' does not agree with count 1")]
    [InlineData("An person entered zone 'path' heading right.", "article 'An' before 'person'")]
    [InlineData("A red car entered zone 'path' heading right.", "label 'car': the facts say 'person'")]
    [InlineData("A person entered zone 'path' heading left.", "heading 'left': the facts say Right")]
    [InlineData("A person entered zone 'path', walking right.", "speed 'walking': the facts say none")]
    [InlineData("A person entered zone 'path' heading right with 2 friends.", "number 2 not in the facts")]
    [InlineData("A person entered zone 'path' heading right after 5 s.", "duration '5 s' (5 s): the facts say none")]
    [InlineData("A person crossed line 'path' heading right.", "event 'crossed': the facts say EnteredZone")]
    [InlineData("A person entered zone 'path' inbound heading right.", "direction 'inbound': the facts say none")]
    [InlineData("A person walked into zone 'path'.", "unparsed caption: A person walked into zone 'path'.")]
    public void Check_WrongCaption_NamesTheUnsupportedClaim(string caption, string problem)
    {
        Assert.Contains(problem, CaptionFactsChecker.Check(caption, PersonEntersPath));
    }

    [Fact]
    public void Check_WrongDurationAndLine_BothNamed()
    {
        var facts = new CaptionFacts(CaptionEventKind.CrossedLine, "car") { Line = "gate", LineDirection = CaptionLineDirection.In, DwellSeconds = 12 };

        var problems = CaptionFactsChecker.Check("A car crossed line 'exit' outbound after 15 s.", facts);

        Assert.Equal(
            ["direction 'outbound': the facts say In", "line 'exit': the facts say 'gate'", "duration '15 s' (15 s): the facts say 12"],
            problems);
    }

    [Theory]
    [InlineData("3 people and 2 trucks in view; 2 people in zone 'path'.", "2 trucks in view: the facts count 1")]
    [InlineData("3 people and 1 truck in view; 2 people in zone 'road'.", "zone 'road' not in the facts")]
    [InlineData("3 people and 1 car in view; 2 people in zone 'path'.", "1 car in view: the facts count 0")]
    [InlineData("3 people and 1 truck in view; 2 person in zone 'path'.", "'person' does not agree with count 2")]
    [InlineData("Nothing in view.", "'Nothing' in view: the facts count 4")]
    public void CheckSummary_WrongSummary_NamesTheUnsupportedClaim(string summary, string problem)
    {
        var scene = new SceneFacts([new("person", 3), new("truck", 1)], [new("path", [new("person", 2)])]);

        Assert.Contains(problem, CaptionFactsChecker.CheckSummary(summary, scene));
    }
}
