using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeVision.Tests.Http;

/// <summary>
/// A reader of the Prometheus text exposition format (version 0.0.4), written from its description: lines are
/// <c># HELP name text</c>, <c># TYPE name type</c>, other comments, blank lines, and samples
/// <c>name{label="value",…} value [timestamp]</c>. Label values escape <c>\\</c>, <c>\"</c> and <c>\n</c>; values
/// are Go floats (including <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>). A family's TYPE comes before its samples and
/// only once; a histogram's samples are <c>_bucket</c> (with <c>le</c>), <c>_sum</c> and <c>_count</c>.
/// Anything else throws, naming the line.
/// </summary>
internal static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Family(string Name, string Type, string? Help, List<Sample> Samples);

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static Dictionary<string, Family> Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1];
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var parts = line[7..].Split(' ');
                    Require(parts.Length == 2 && MetricName().IsMatch(parts[0]) && Types.Contains(parts[1]), "a TYPE line is '# TYPE name type'");
                    Require(!families.TryGetValue(parts[0], out var existing) || (existing.Type == "untyped" && existing.Samples.Count == 0), $"second TYPE for {parts[0]}");
                    var help = families.TryGetValue(parts[0], out var before) ? before.Help : null;
                    families[parts[0]] = new Family(parts[0], parts[1], help, []);
                }
                else if (line.StartsWith("# HELP ", StringComparison.Ordinal))
                {
                    var space = line.IndexOf(' ', 7);
                    var name = space < 0 ? line[7..] : line[7..space];
                    Require(MetricName().IsMatch(name), "a HELP line names a metric");
                    if (families.TryGetValue(name, out var family))
                    {
                        families[name] = family with { Help = space < 0 ? string.Empty : line[(space + 1)..] };
                    }
                    else
                    {
                        families[name] = new Family(name, "untyped", space < 0 ? string.Empty : line[(space + 1)..], []);
                    }
                }
                else if (line.StartsWith('#'))
                {
                    continue;
                }
                else
                {
                    var sample = ParseSample(line);
                    var family = FamilyOf(families, sample.Name);
                    Require(family is not null, $"sample {sample.Name} comes before its family's TYPE");
                    family!.Samples.Add(sample);
                }
            }
            catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or KeyNotFoundException)
            {
                throw new FormatException($"line {number}: {ex.Message}: {line}");
            }
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return families;
    }

    private static Family? FamilyOf(Dictionary<string, Family> families, string sample)
    {
        if (families.TryGetValue(sample, out var exact) && exact.Type is not "histogram" and not "summary")
        {
            return exact;
        }

        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(sample[..^suffix.Length], out var family) && family.Type is "histogram" or "summary")
            {
                return family;
            }
        }

        return null;
    }

    /// <summary>Per label set: buckets in increasing <c>le</c>, counts never falling, a <c>+Inf</c> bucket equal to <c>_count</c>, and a <c>_sum</c>.</summary>
    private static void CheckHistogram(Family family)
    {
        var series = family.Samples.GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
        foreach (var one in series)
        {
            var buckets = one.Where(s => s.Name == family.Name + "_bucket").Select(s => (Le: ParseValue(s.Labels["le"]), s.Value)).ToList();
            Require(buckets.Count > 0, $"{family.Name} {{{one.Key}}} has no buckets");
            for (var i = 1; i < buckets.Count; i++)
            {
                Require(buckets[i].Le > buckets[i - 1].Le && buckets[i].Value >= buckets[i - 1].Value, $"{family.Name} {{{one.Key}}}: buckets out of order or falling");
            }

            Require(double.IsPositiveInfinity(buckets[^1].Le), $"{family.Name} {{{one.Key}}} has no +Inf bucket");
            var count = one.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"{family.Name} {{{one.Key}}} has no _count");
            Require(one.Any(s => s.Name == family.Name + "_sum"), $"{family.Name} {{{one.Key}}} has no _sum");
            Require(count.Value == buckets[^1].Value, $"{family.Name} {{{one.Key}}}: _count {count.Value} differs from the +Inf bucket {buckets[^1].Value}");
        }
    }

    private static Sample ParseSample(string line)
    {
        var at = 0;
        while (at < line.Length && line[at] is not ('{' or ' '))
        {
            at++;
        }

        var name = line[..at];
        Require(MetricName().IsMatch(name), "bad metric name");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (line[at] != '}')
            {
                var equals = line.IndexOf('=', at);
                Require(equals > at, "a label is name=\"value\"");
                var label = line[at..equals];
                Require(LabelName().IsMatch(label) && !labels.ContainsKey(label), $"bad or repeated label name '{label}'");
                Require(line[equals + 1] == '"', "a label value is quoted");
                var value = new StringBuilder();
                at = equals + 2;
                while (line[at] != '"')
                {
                    if (line[at] == '\\')
                    {
                        at++;
                        value.Append(line[at] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"unknown escape \\{line[at]}"),
                        });
                    }
                    else
                    {
                        value.Append(line[at]);
                    }

                    at++;
                }

                labels[label] = value.ToString();
                at++;
                if (line[at] == ',')
                {
                    at++;
                }
            }

            at++;
        }

        Require(at < line.Length && line[at] == ' ', "a space comes before the value");
        var rest = line[(at + 1)..].Split(' ');
        Require(rest.Length is 1 or 2, "value and an optional timestamp");
        if (rest.Length == 2)
        {
            Require(long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a timestamp is whole milliseconds");
        }

        return new Sample(name, labels, ParseValue(rest[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{text}' is not a value"),
    };

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }
}
