using System.Globalization;
using System.Text.RegularExpressions;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

/// <summary>
/// Reads a caption back and lists every claim in it that its facts do not support: a count, label, colour,
/// zone, line, crossing direction, heading, speed, duration or event the facts do not contain, a stray number,
/// a plural that disagrees with its count, a wrong "a"/"an". Empty when every claim is backed by the facts.
/// </summary>
/// <remarks>
/// Written from the sentence shapes, not from the captioner's code: the nouns come from the hand-written
/// <see cref="CocoNouns"/> table and the colour words from the palette, so a captioner that invents a word is
/// caught however it came to invent it.
/// </remarks>
internal static partial class CaptionFactsChecker
{
    private static readonly (string Colour, Regex Pattern)[] Colours =
        [.. ColourNamer.Palette.OrderByDescending(c => c.Length).Select(c => (c, new Regex($@"\b{c}\b")))];

    private static readonly (string Word, CaptionHeading Heading, Regex Pattern)[] Headings =
        [.. HeadingWords().Select(h => (h.Key, h.Value, new Regex($@"(?<![\w-]){h.Key}(?![\w-])")))];

    private static readonly (string Phrase, CaptionSpeed Speed, Regex Pattern)[] Speeds =
        [.. SpeedPhrases().Select(s => (s.Key, s.Value, new Regex($@"\b{s.Key}\b")))];

    private static Dictionary<string, CaptionHeading> HeadingWords() => new(StringComparer.Ordinal)
    {
        ["up-left"] = CaptionHeading.UpLeft,
        ["up-right"] = CaptionHeading.UpRight,
        ["down-left"] = CaptionHeading.DownLeft,
        ["down-right"] = CaptionHeading.DownRight,
        ["left"] = CaptionHeading.Left,
        ["right"] = CaptionHeading.Right,
        ["up"] = CaptionHeading.Up,
        ["down"] = CaptionHeading.Down,
    };

    // Longest first: "moving at walking pace" must be read before "walking".
    private static Dictionary<string, CaptionSpeed> SpeedPhrases() => new(StringComparer.Ordinal)
    {
        ["moving at walking pace"] = CaptionSpeed.Walking,
        ["moving slowly"] = CaptionSpeed.Slow,
        ["moving fast"] = CaptionSpeed.Fast,
        ["walking"] = CaptionSpeed.Walking,
        ["standing still"] = CaptionSpeed.Stationary,
        ["stationary"] = CaptionSpeed.Stationary,
    };

    [GeneratedRegex(@"^(?<qty>A|An|\d+) (?<body>.+?) (?<verb>appeared|entered|left the view|left|crossed|is|are)(?<rest>\b.*)$")]
    private static partial Regex SentenceShape();

    [GeneratedRegex(@"(?<kind>zone|line) '(?<name>[^']*)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"\b(?:(?<h>\d+) h(?: (?<hm>\d+) min)?|(?<m>\d+) min(?: (?<ms>\d+) s)?|(?<s>\d+) s)\b")]
    private static partial Regex DurationText();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();

    [GeneratedRegex(@"^in (?:(?:a|an) (?<top>.+?) top|(?<tops>.+?) tops)(?: and (?<trousers>.+?) trousers)?$|^in (?<trousersOnly>.+?) trousers$|^in (?<overall>.+)$")]
    private static partial Regex Clothing();

    public static IReadOnlyList<string> Check(string caption, CaptionFacts facts)
    {
        var problems = new List<string>();
        if (!caption.EndsWith('.'))
        {
            problems.Add("no full stop");
        }

        var shape = SentenceShape().Match(caption.TrimEnd('.'));
        if (!shape.Success)
        {
            problems.Add("unparsed caption: " + caption);
            return problems;
        }

        var qty = shape.Groups["qty"].Value;
        var count = qty is "A" or "An" ? 1 : int.Parse(qty, CultureInfo.InvariantCulture);
        if (count != facts.Count)
        {
            problems.Add($"count {count}: the facts count {facts.Count}");
        }

        var body = shape.Groups["body"].Value;
        if (qty is "A" or "An" && !string.Equals(qty, LabelNoun.IndefiniteArticle(body), StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"article '{qty}' before '{body.Split(' ')[0]}'");
        }

        CheckSubject(body, count, facts, problems);
        var rest = shape.Groups["rest"].Value;
        CheckEvent(shape.Groups["verb"].Value, rest, facts, problems);

        foreach (Match name in QuotedName().Matches(rest))
        {
            var expected = name.Groups["kind"].Value == "zone" ? facts.Zone : facts.Line;
            if (name.Groups["name"].Value != expected)
            {
                problems.Add($"{name.Groups["kind"].Value} '{name.Groups["name"].Value}': the facts say '{expected ?? "none"}'");
            }
        }

        // From here on, quoted names are opaque: a zone called 'left 2' names no heading and no number.
        var words = QuotedName().Replace(rest, "${kind} NAME");
        CheckDurations(ref words, facts, problems);
        foreach (Match number in Number().Matches(words))
        {
            problems.Add($"number {number.Value} not in the facts");
        }

        CheckMotion(words, facts, problems);
        foreach (var (colour, _) in Colours.Where(c => c.Pattern.IsMatch(words)))
        {
            problems.Add($"colour '{colour}' outside the subject");
        }

        return problems;
    }

    /// <summary>Checks "3 people and 1 truck in view; 2 people in zone 'path'." against the scene.</summary>
    public static IReadOnlyList<string> CheckSummary(string summary, SceneFacts scene)
    {
        var problems = new List<string>();
        if (!summary.EndsWith('.'))
        {
            problems.Add("no full stop");
        }

        var parts = summary.TrimEnd('.').Split("; ");
        if (!parts[0].EndsWith(" in view", StringComparison.Ordinal))
        {
            problems.Add("unparsed summary: " + summary);
            return problems;
        }

        CheckTally(parts[0][..^" in view".Length], Totals(scene.InView), "in view", problems);
        foreach (var part in parts.Skip(1))
        {
            var zone = Regex.Match(part, @"^(?<tally>.+) in zone '(?<name>[^']*)'$");
            if (!zone.Success)
            {
                problems.Add("unparsed zone part: " + part);
                continue;
            }

            var name = zone.Groups["name"].Value;
            var occupancy = scene.Zones.FirstOrDefault(z => z.Zone == name);
            if (occupancy is null)
            {
                problems.Add($"zone '{name}' not in the facts");
                continue;
            }

            CheckTally(zone.Groups["tally"].Value, Totals(occupancy.Counts), $"in zone '{name}'", problems);
        }

        return problems;
    }

    private static void CheckSubject(string body, int count, CaptionFacts facts, List<string> problems)
    {
        string? clothing = null;
        var person = Regex.Match(body, @"^(?<noun>person|people)(?: (?<clothing>in .+))?$");
        string label;
        string? adjective = null;
        if (person.Success)
        {
            label = "person";
            clothing = person.Groups["clothing"].Success ? person.Groups["clothing"].Value : null;
            CheckAgreement(person.Groups["noun"].Value, label, count, problems);
        }
        else if (MatchNoun(body) is { } match)
        {
            label = match.Label;
            adjective = match.Adjective;
            CheckAgreement(match.Noun, label, count, problems);
        }
        else
        {
            problems.Add($"no label recognised in '{body}'");
            return;
        }

        if (label != facts.Label)
        {
            problems.Add($"label '{label}': the facts say '{facts.Label}'");
        }

        if (adjective is not null)
        {
            ExpectColour("overall", adjective, facts.Colours?.Overall, problems);
        }

        if (clothing is null)
        {
            return;
        }

        var parts = Clothing().Match(clothing);
        if (!parts.Success)
        {
            problems.Add($"unparsed clothing '{clothing}'");
            return;
        }

        var top = parts.Groups["top"].Success ? parts.Groups["top"].Value : parts.Groups["tops"].Success ? parts.Groups["tops"].Value : null;
        if (top is not null)
        {
            ExpectColour("upper", top, facts.Colours?.Upper, problems);
            if (parts.Groups["tops"].Success != count > 1)
            {
                problems.Add($"'{(count > 1 ? "top" : "tops")}' does not agree with count {count}");
            }

            if (parts.Groups["top"].Success && !clothing.StartsWith($"in {LabelNoun.IndefiniteArticle(top)} ", StringComparison.Ordinal))
            {
                problems.Add($"wrong article before '{top}'");
            }
        }

        var trousers = parts.Groups["trousers"].Success ? parts.Groups["trousers"].Value : parts.Groups["trousersOnly"].Success ? parts.Groups["trousersOnly"].Value : null;
        if (trousers is not null)
        {
            ExpectColour("lower", trousers, facts.Colours?.Lower, problems);
        }

        if (parts.Groups["overall"].Success)
        {
            ExpectColour("overall", parts.Groups["overall"].Value, facts.Colours?.Overall, problems);
        }
    }

    /// <summary>The COCO noun that ends the phrase, the longest when several do ("teddy bear", not "bear"), and what stands before it.</summary>
    private static (string Label, string Noun, string? Adjective)? MatchNoun(string body)
    {
        (string Label, string Noun, string? Adjective)? best = null;
        var bestLength = 0;
        foreach (var label in CocoNouns.Phrases.Keys)
        {
            var (singular, plural) = CocoNouns.Forms(label);
            foreach (var form in new[] { singular, plural }.Distinct())
            {
                var of = form.LastIndexOf(" of ", StringComparison.Ordinal);
                var measure = of < 0 ? string.Empty : form[..(of + 4)];
                var noun = of < 0 ? form : form[(of + 4)..];
                if (noun.Length <= bestLength || body.Length < measure.Length + noun.Length || !body.StartsWith(measure, StringComparison.Ordinal) || !body.EndsWith(noun, StringComparison.Ordinal))
                {
                    continue;
                }

                var between = body[measure.Length..^noun.Length];
                if (between.Length == 0 || between.EndsWith(' '))
                {
                    best = (label, measure + noun, between.Length > 0 ? between.TrimEnd() : null);
                    bestLength = noun.Length;
                }
            }
        }

        return best;
    }

    private static void CheckAgreement(string noun, string label, int count, List<string> problems)
    {
        var (singular, plural) = CocoNouns.Forms(label);
        if (noun != (count == 1 ? singular : plural))
        {
            problems.Add($"'{noun}' does not agree with count {count}");
        }
    }

    private static void ExpectColour(string slot, string said, string? fact, List<string> problems)
    {
        if (said != fact)
        {
            problems.Add($"{slot} colour '{said}': the facts say '{fact ?? "none"}'");
        }
    }

    private static void CheckEvent(string verb, string rest, CaptionFacts facts, List<string> problems)
    {
        var said = verb switch
        {
            "appeared" => CaptionEventKind.Appeared,
            "entered" => CaptionEventKind.EnteredZone,
            "left the view" => CaptionEventKind.Ended,
            "left" => CaptionEventKind.LeftZone,
            "crossed" => CaptionEventKind.CrossedLine,
            _ => CaptionEventKind.Stationary,
        };

        if (said != facts.Kind)
        {
            problems.Add($"event '{verb}': the facts say {facts.Kind}");
        }

        if (said == CaptionEventKind.Stationary && (verb == "is") != (facts.Count == 1))
        {
            problems.Add($"'{verb}' does not agree with count {facts.Count}");
        }

        foreach (var (word, direction) in new[] { ("inbound", CaptionLineDirection.In), ("outbound", CaptionLineDirection.Out) })
        {
            if (rest.Contains(word, StringComparison.Ordinal) && facts.LineDirection != direction)
            {
                problems.Add($"direction '{word}': the facts say {facts.LineDirection?.ToString() ?? "none"}");
            }
        }
    }

    private static void CheckDurations(ref string words, CaptionFacts facts, List<string> problems)
    {
        foreach (Match duration in DurationText().Matches(words))
        {
            long Part(string group) => duration.Groups[group].Success ? long.Parse(duration.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
            var seconds = Part("h") * 3600 + (Part("hm") + Part("m")) * 60 + Part("ms") + Part("s");
            var expected = facts.DwellSeconds is { } d ? (long?)Math.Round(d, MidpointRounding.AwayFromZero) : null;

            // "1 h 2 min" is true of 3720–3779 s: the smallest unit shown bounds how much was left unsaid.
            var unit = duration.Groups["s"].Success || duration.Groups["ms"].Success ? 1 : duration.Groups["m"].Success || duration.Groups["hm"].Success ? 60 : 3600;
            if (expected is not { } e || e < seconds || e >= seconds + unit)
            {
                problems.Add($"duration '{duration.Value}' ({seconds} s): the facts say {expected?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            }
        }

        words = DurationText().Replace(words, "DURATION");
    }

    private static void CheckMotion(string words, CaptionFacts facts, List<string> problems)
    {
        var remaining = words;
        foreach (var (phrase, speed, pattern) in Speeds)
        {
            if (!pattern.IsMatch(remaining))
            {
                continue;
            }

            remaining = pattern.Replace(remaining, "SPEED");
            var fromKind = speed == CaptionSpeed.Stationary && facts.Kind == CaptionEventKind.Stationary;
            if (!fromKind && facts.Speed != speed)
            {
                problems.Add($"speed '{phrase}': the facts say {facts.Speed?.ToString() ?? "none"}");
            }
        }

        foreach (var (word, heading, pattern) in Headings)
        {
            if (!pattern.IsMatch(remaining))
            {
                continue;
            }

            remaining = pattern.Replace(remaining, "HEADING");
            if (facts.Heading != heading)
            {
                problems.Add($"heading '{word}': the facts say {facts.Heading?.ToString() ?? "none"}");
            }
        }
    }

    private static void CheckTally(string tally, Dictionary<string, int> facts, string where, List<string> problems)
    {
        if (tally == "Nothing")
        {
            if (facts.Count > 0)
            {
                problems.Add($"'Nothing' {where}: the facts count {facts.Values.Sum()}");
            }

            return;
        }

        foreach (var item in tally.Split([", ", " and "], StringSplitOptions.None))
        {
            var parsed = Regex.Match(item, @"^(?<n>\d+) (?<noun>.+)$");
            if (!parsed.Success)
            {
                problems.Add($"unparsed count '{item}' {where}");
                continue;
            }

            var n = int.Parse(parsed.Groups["n"].Value, CultureInfo.InvariantCulture);
            var noun = parsed.Groups["noun"].Value;
            var label = CocoNouns.Phrases.Keys.FirstOrDefault(l => CocoNouns.Forms(l) is var f && (f.Singular == noun || f.Plural == noun));
            if (label is null)
            {
                problems.Add($"no label recognised in '{item}' {where}");
                continue;
            }

            CheckAgreement(noun, label, n, problems);
            var expected = facts.GetValueOrDefault(label);
            if (n != expected)
            {
                problems.Add($"{n} {noun} {where}: the facts count {expected}");
            }
        }
    }

    private static Dictionary<string, int> Totals(IReadOnlyList<LabelCount> counts) =>
        counts.Where(c => c.Count > 0).GroupBy(c => c.Label).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
}
