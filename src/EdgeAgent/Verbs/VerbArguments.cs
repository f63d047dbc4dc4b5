using System.Globalization;
using EdgeVision.Models;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// A verb's arguments: positionals and <c>--name value</c> (or <c>--name=value</c>) / <c>--flag</c> options. Every
/// option must be known to the verb; anything else is a usage error (exit 2) naming it and the known ones.
/// </summary>
internal sealed class VerbArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private VerbArguments(string verb, List<string> positionals)
    {
        Verb = verb;
        Positionals = positionals;
    }

    public string Verb { get; }

    public IReadOnlyList<string> Positionals { get; }

    /// <param name="options">The verb's options without the leading --, in the order help lists them; a trailing '=' marks one that takes a value.</param>
    public static VerbArguments Parse(string verb, IReadOnlyList<string> args, IReadOnlyList<string> options)
    {
        var takesValue = options.ToDictionary(o => o.TrimEnd('='), o => o.EndsWith('='), StringComparer.Ordinal);
        var positionals = new List<string>();
        var parsed = new VerbArguments(verb, positionals);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg.Length == 1)
            {
                positionals.Add(arg);
                continue;
            }

            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg;
            string? inlineValue = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                inlineValue = name[(eq + 1)..];
                name = name[..eq];
            }

            if (!takesValue.TryGetValue(name, out var needsValue) || (!needsValue && inlineValue is not null))
            {
                var known = string.Join(", ", takesValue.Keys.Select(k => "--" + k));
                throw new UserFacingException($"unknown option '{arg}' for {verb} (known: {known})", 2);
            }

            parsed._options[name] = needsValue
                ? inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UserFacingException($"{arg} needs a value", 2))
                : null;
        }

        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public string Get(string name, string fallback) => Get(name) ?? fallback;

    public int GetInt(string name, int fallback, int min, int max)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UserFacingException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be a whole number from {min} to {max}, found '{text}'"), 2);
        }

        return value;
    }

    public double GetDouble(string name, double fallback, double min, double max)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
        {
            throw new UserFacingException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be a number from {min} to {max}, found '{text}'"), 2);
        }

        return value;
    }

    /// <summary>A comma-separated list of CPU numbers ("0" or "2,3"), each available to this process; empty when absent.</summary>
    public int[] GetCpus(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return [];
        }

        var cpus = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var cpu))
            {
                throw new UserFacingException($"--{name} must list CPU numbers separated by commas (as 0 or 2,3), found '{text}'", 2);
            }

            cpus.Add(cpu);
        }

        if (CpuAffinity.Check(cpus) is { Count: > 0 } errors)
        {
            throw new UserFacingException($"--{name}: {errors[0]}", 2);
        }

        return [.. cpus];
    }

    /// <param name="what">What the argument is, as in "{verb} needs {what}".</param>
    public string Positional(int index, string what) => index < Positionals.Count
        ? Positionals[index]
        : throw new UserFacingException($"{Verb} needs {what}", 2);

    /// <summary>Refuses arguments beyond the first <paramref name="max"/>.</summary>
    public void ExpectPositionals(int max)
    {
        if (Positionals.Count > max)
        {
            throw new UserFacingException($"{Verb} takes {max} argument{(max == 1 ? string.Empty : "s")}, found another: '{Positionals[max]}'", 2);
        }
    }
}
