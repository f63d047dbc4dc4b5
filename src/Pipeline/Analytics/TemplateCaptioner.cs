using System.Globalization;
using System.Text;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Captions from fixed sentence templates: "A person in a red top entered zone 'path' heading right." Every word
/// that carries information comes from a field of the facts, so a caption can be trusted as far as the facts
/// can; the same facts always give the same sentence. Numbers are written as digits; one object of an event
/// takes "a"/"an".
/// </summary>
internal sealed class TemplateCaptioner : ICaptioner
{
    private const string PersonLabel = "person";

    public ValueTask<string?> CaptionAsync(CaptionFacts facts, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult<string?>(Caption(facts));
    }

    public ValueTask<string?> SummarizeAsync(SceneFacts scene, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult<string?>(Summarize(scene));
    }

    /// <summary>One sentence about the event.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The facts count fewer than one object.</exception>
    public static string Caption(CaptionFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(facts), facts.Count, "an event is about at least one object");
        }

        var plural = facts.Count > 1;
        var isPerson = string.Equals(facts.Label?.Trim(), PersonLabel, StringComparison.Ordinal);
        var zone = Named("zone", facts.Zone);
        var dwell = Duration(facts.DwellSeconds);
        var text = new StringBuilder(Subject(facts, isPerson));
        switch (facts.Kind)
        {
            case CaptionEventKind.Appeared:
                text.Append(" appeared");
                AppendIfAny(text, " in ", zone);
                text.Append(Motion(facts, isPerson));
                break;

            case CaptionEventKind.EnteredZone:
                text.Append(" entered ").Append(zone ?? "a zone");
                text.Append(Motion(facts, isPerson));
                break;

            case CaptionEventKind.LeftZone:
                text.Append(" left ").Append(zone ?? "a zone");
                AppendIfAny(text, " after ", dwell);
                text.Append(Motion(facts, isPerson));
                break;

            case CaptionEventKind.CrossedLine:
                text.Append(" crossed ").Append(Named("line", facts.Line) ?? "a line");
                AppendIfAny(text, " ", facts.LineDirection switch
                {
                    CaptionLineDirection.In => "inbound",
                    CaptionLineDirection.Out => "outbound",
                    _ => null,
                });
                text.Append(Motion(facts, isPerson));
                break;

            case CaptionEventKind.Stationary:
                text.Append(plural ? " are " : " is ").Append(isPerson ? "standing still" : "stationary");
                AppendIfAny(text, " in ", zone);
                if (dwell is not null)
                {
                    // Dwell counts from entering the zone when there is one, otherwise from appearing.
                    text.Append(", ").Append(dwell).Append(zone is null ? " after appearing" : " after entering it");
                }

                break;

            case CaptionEventKind.Ended:
                text.Append(" left the view");
                if (zone is not null)
                {
                    text.Append(" from ").Append(zone);
                    AppendIfAny(text, ", ", dwell is null ? null : dwell + " after entering it");
                }
                else
                {
                    AppendIfAny(text, " after ", dwell);
                }

                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(facts), facts.Kind, "unknown event kind");
        }

        return text.Append('.').ToString();
    }

    /// <summary>
    /// One sentence about what is in view: "3 people and 1 truck in view; 2 people in zone 'path'." Labels are
    /// listed by count, most first (ties alphabetically), zones by name, so the order of the input lists does not
    /// change the sentence; counts of the same label are added, counts below 1 ignored.
    /// </summary>
    public static string Summarize(SceneFacts scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var inView = Tally(scene.InView);
        var text = new StringBuilder(inView ?? "Nothing").Append(" in view");
        foreach (var zone in (scene.Zones ?? []).Where(z => Named("zone", z.Zone) is not null).OrderBy(z => z.Zone.Trim(), StringComparer.Ordinal))
        {
            if (Tally(zone.Counts) is { } tally)
            {
                text.Append("; ").Append(tally).Append(" in ").Append(Named("zone", zone.Zone));
            }
        }

        return text.Append('.').ToString();
    }

    /// <summary>"A person in a blue top and black trousers", "2 red cars", "An object".</summary>
    private static string Subject(CaptionFacts facts, bool isPerson)
    {
        var noun = LabelNoun.For(facts.Label);
        var colours = facts.Colours;
        string phrase;
        if (!isPerson)
        {
            phrase = noun.Phrase(facts.Count, Present(colours?.Overall));
        }
        else
        {
            phrase = noun.Phrase(facts.Count) + Clothing(Present(colours?.Upper), Present(colours?.Lower), Present(colours?.Overall), facts.Count > 1);
        }

        return char.ToUpperInvariant(phrase[0]) + phrase[1..];
    }

    private static string Clothing(string? upper, string? lower, string? overall, bool plural)
    {
        var top = upper is null ? null : plural ? $"{upper} tops" : $"{LabelNoun.IndefiniteArticle(upper)} {upper} top";
        var trousers = lower is null ? null : $"{lower} trousers";
        return (top, trousers) switch
        {
            ({ } t, { } b) => $" in {t} and {b}",
            ({ } t, null) => $" in {t}",
            (null, { } b) => $" in {b}",
            _ => overall is null ? string.Empty : $" in {overall}",
        };
    }

    /// <summary>", walking left", " heading right", ", stationary" or nothing.</summary>
    private static string Motion(CaptionFacts facts, bool isPerson)
    {
        var heading = facts.Heading switch
        {
            CaptionHeading.Left => "left",
            CaptionHeading.Right => "right",
            CaptionHeading.Up => "up",
            CaptionHeading.Down => "down",
            CaptionHeading.UpLeft => "up-left",
            CaptionHeading.UpRight => "up-right",
            CaptionHeading.DownLeft => "down-left",
            CaptionHeading.DownRight => "down-right",
            _ => null,
        };

        var speed = facts.Speed switch
        {
            CaptionSpeed.Slow => "moving slowly",
            CaptionSpeed.Walking => isPerson ? "walking" : "moving at walking pace",
            CaptionSpeed.Fast => "moving fast",
            _ => null,
        };

        if (facts.Speed == CaptionSpeed.Stationary)
        {
            // Something standing still has no heading worth a word, whatever the motion model's last estimate.
            return isPerson ? ", standing still" : ", stationary";
        }

        return (speed, heading) switch
        {
            ({ } s, { } h) => $", {s} {h}",
            ({ } s, null) => $", {s}",
            (null, { } h) => $" heading {h}",
            _ => string.Empty,
        };
    }

    /// <summary>"3 people, 2 cars and 1 truck", or null when nothing is counted.</summary>
    private static string? Tally(IReadOnlyList<LabelCount>? counts)
    {
        var phrases = (counts ?? [])
            .Where(c => c.Count > 0)
            .GroupBy(c => string.IsNullOrWhiteSpace(c.Label) ? "object" : c.Label.Trim(), StringComparer.Ordinal)
            .Select(g => (Label: g.Key, Count: g.Sum(c => c.Count)))
            .OrderByDescending(g => g.Count)
            .ThenBy(g => g.Label, StringComparer.Ordinal)
            .Select(g => LabelNoun.For(g.Label).Phrase(g.Count, articleForOne: false))
            .ToList();
        return phrases.Count switch
        {
            0 => null,
            1 => phrases[0],
            _ => string.Join(", ", phrases.Take(phrases.Count - 1)) + " and " + phrases[^1],
        };
    }

    /// <summary>"12 s", "2 min 5 s", "1 h 3 min": whole seconds, largest units first; null when unknown.</summary>
    private static string? Duration(double? seconds)
    {
        if (seconds is not { } value || !double.IsFinite(value) || value < 0)
        {
            return null;
        }

        var total = (long)Math.Round(value, MidpointRounding.AwayFromZero);
        var hours = total / 3600;
        var minutes = total % 3600 / 60;
        var rest = total % 60;
        if (hours > 0)
        {
            return minutes > 0 ? Invariant($"{hours} h {minutes} min") : Invariant($"{hours} h");
        }

        if (minutes > 0)
        {
            return rest > 0 ? Invariant($"{minutes} min {rest} s") : Invariant($"{minutes} min");
        }

        return Invariant($"{rest} s");
    }

    private static string? Named(string kind, string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : $"{kind} '{name.Trim()}'";

    private static string? Present(string? word) => string.IsNullOrWhiteSpace(word) ? null : word.Trim();

    private static void AppendIfAny(StringBuilder text, string separator, string? value)
    {
        if (value is not null)
        {
            text.Append(separator).Append(value);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
