namespace EdgeVision.Pipeline.Analytics;

/// <summary>Which captioner writes event captions, chosen by a type key as each pipeline stage's plugins are.</summary>
internal sealed class CaptionerOptions
{
    /// <summary>Sentences from fixed templates over the event's facts: <see cref="TemplateCaptioner"/>.</summary>
    public const string TemplateType = "template";

    public static IReadOnlyList<string> KnownTypes { get; } = [TemplateType];

    public string Type { get; set; } = TemplateType;

    /// <summary>Every problem with the options, each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Type))
        {
            errors.Add($"Type: must be one of: {string.Join(", ", KnownTypes)}");
        }
        else if (!KnownTypes.Contains(Type, StringComparer.Ordinal))
        {
            errors.Add($"Type: unknown captioner type '{Type}' (known: {string.Join(", ", KnownTypes)})");
        }

        return errors;
    }
}
