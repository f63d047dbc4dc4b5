namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// How a detector label reads as an English noun: its singular and plural, and for things that do not come
/// one at a time (skis, scissors, broccoli) the measure that counts them ("a pair of skis", "2 heads of broccoli").
/// </summary>
/// <remarks>
/// The irregular forms cover the 80 COCO labels; any other label takes the regular rules on its last word
/// (bus → buses, wine glass → wine glasses, strawberry → strawberries, everything else + s).
/// </remarks>
internal sealed record LabelNoun(string Singular, string Plural, string? MeasureSingular = null, string? MeasurePlural = null)
{
    private static readonly Dictionary<string, LabelNoun> Irregular = new(StringComparer.Ordinal)
    {
        ["person"] = new("person", "people"),
        ["sheep"] = new("sheep", "sheep"),
        ["mouse"] = new("mouse", "mice"),
        ["knife"] = new("knife", "knives"),
        ["tv"] = new("TV", "TVs"),
        ["skis"] = new("skis", "skis", "pair of", "pairs of"),
        ["scissors"] = new("scissors", "scissors", "pair of", "pairs of"),
        ["broccoli"] = new("broccoli", "broccoli", "head of", "heads of"),
    };

    // Words starting with a vowel letter but a consonant sound ("a unicycle"), and the reverse ("an hour").
    private static readonly string[] VowelLetterConsonantSound = ["uni", "use", "usu", "uti", "eu", "one", "once"];
    private static readonly string[] SilentH = ["hour", "honest", "honour", "heir"];

    /// <summary>The noun for <paramref name="label"/>; an empty label reads as "object".</summary>
    public static LabelNoun For(string? label)
    {
        var text = string.IsNullOrWhiteSpace(label) ? "object" : label.Trim();
        if (Irregular.TryGetValue(text, out var noun))
        {
            return noun;
        }

        var lastSpace = text.LastIndexOf(' ');
        var head = text[(lastSpace + 1)..];
        var modifiers = text[..(lastSpace + 1)];
        if (Irregular.TryGetValue(head, out var headNoun) && headNoun.MeasureSingular is null)
        {
            return new LabelNoun(modifiers + headNoun.Singular, modifiers + headNoun.Plural);
        }

        return new LabelNoun(text, modifiers + RegularPlural(head));
    }

    /// <summary>
    /// A counted noun phrase: "a person", "an orange car", "a pair of red skis", "3 people", "2 heads of broccoli".
    /// </summary>
    /// <param name="adjective">Placed before the noun and after any measure; null for none.</param>
    /// <param name="articleForOne">Whether one reads "a"/"an" (in a sentence about an event) or "1" (in a tally).</param>
    public string Phrase(int count, string? adjective = null, bool articleForOne = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var words = new List<string>(4);
        var measure = count == 1 ? MeasureSingular : MeasurePlural;
        if (measure is not null)
        {
            words.Add(measure);
        }

        if (!string.IsNullOrWhiteSpace(adjective))
        {
            words.Add(adjective.Trim());
        }

        words.Add(count == 1 ? Singular : Plural);
        var phrase = string.Join(' ', words);
        if (count > 1 || !articleForOne)
        {
            return $"{count} {phrase}";
        }

        return $"{IndefiniteArticle(phrase)} {phrase}";
    }

    /// <summary>"a" or "an" for the phrase, by the sound its first word starts with.</summary>
    public static string IndefiniteArticle(string phrase)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phrase);
        var word = phrase.TrimStart();
        if (SilentH.Any(h => word.StartsWith(h, StringComparison.OrdinalIgnoreCase)))
        {
            return "an";
        }

        if (VowelLetterConsonantSound.Any(p => word.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            return "a";
        }

        return "aeiouAEIOU".Contains(word[0]) ? "an" : "a";
    }

    private static string RegularPlural(string word)
    {
        if (word.EndsWith('s') || word.EndsWith('x') || word.EndsWith('z') || word.EndsWith("ch", StringComparison.Ordinal) || word.EndsWith("sh", StringComparison.Ordinal))
        {
            return word + "es";
        }

        if (word.Length > 1 && word[^1] == 'y' && !"aeiou".Contains(word[^2]))
        {
            return word[..^1] + "ies";
        }

        return word + "s";
    }
}
