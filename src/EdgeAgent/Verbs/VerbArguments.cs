using EdgeVision.Models;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// A verb's arguments: positionals and <c>--name value</c> / <c>--flag</c> options. Every option must be known
/// to the verb; anything else is a usage error naming the option.
/// </summary>
public sealed class VerbArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private VerbArguments(string verb, List<string> positionals)
    {
        Verb = verb;
        Positionals = positionals;
    }

    public string Verb { get; }

    public IReadOnlyList<string> Positionals { get; }

    /// <param name="valueOptions">Options that take a value (without the leading --).</param>
    /// <param name="flags">Options that take none.</param>
    public static VerbArguments Parse(string verb, string[] args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flags)
    {
        var positionals = new List<string>();
        var parsed = new VerbArguments(verb, positionals);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? inlineValue = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                inlineValue = name[(eq + 1)..];
                name = name[..eq];
            }

            if (flags.Contains(name) && inlineValue is null)
            {
                parsed._options[name] = null;
            }
            else if (valueOptions.Contains(name))
            {
                var value = inlineValue ?? (i + 1 < args.Length ? args[++i] : throw new UserFacingException($"{verb}: option --{name} needs a value", 2));
                parsed._options[name] = value;
            }
            else
            {
                throw new UserFacingException($"{verb}: unknown option --{name}", 2);
            }
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

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UserFacingException($"{Verb}: --{name} must be a whole number from {min} to {max}, got '{text}'", 2);
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

        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
        {
            throw new UserFacingException($"{Verb}: --{name} must be a number from {min} to {max}, got '{text}'", 2);
        }

        return value;
    }

    public string Positional(int index, string what) => index < Positionals.Count
        ? Positionals[index]
        : throw new UserFacingException($"{Verb}: missing {what}", 2);

    public void ExpectPositionals(int max)
    {
        if (Positionals.Count > max)
        {
            throw new UserFacingException($"{Verb}: unexpected argument '{Positionals[max]}'", 2);
        }
    }
}
