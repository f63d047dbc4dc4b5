using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Checks the whole configuration before the host starts and collects every problem: values that do not
/// convert, keys no setting has (a typo such as "Sorce" would otherwise be ignored), and what the options
/// validators find. The configuration binder alone stops at the first bad value, and silently drops a list
/// item (a camera) whose fields do not convert.
/// </summary>
internal static class ConfigurationCheck
{
    private const int MaxPrintedLength = 400;

    public static IReadOnlyList<string> Collect(IConfiguration configuration, AgentPaths paths)
    {
        var errors = new List<string>();
        var edge = configuration.GetSection(EdgeVisionOptions.Section);
        ConfigurationShape.Check(edge, typeof(EdgeVisionOptions), errors);
        ConfigurationShape.Check(configuration.GetSection(MqttOptions.SectionName), typeof(MqttOptions), errors);
        ConfigurationShape.Check(configuration.GetSection(Http.HttpOptions.SectionName), typeof(Http.HttpOptions), errors);
        ConfigurationShape.Check(configuration.GetSection(Store.StoreOptions.SectionName), typeof(Store.StoreOptions), errors);
        ConfigurationShape.Check(configuration.GetSection(HomeAssistant.HomeAssistantOptions.SectionName), typeof(HomeAssistant.HomeAssistantOptions), errors);
        if (errors.Count > 0)
        {
            return errors;
        }

        var options = new EdgeVisionOptions();
        foreach (var child in edge.GetChildren())
        {
            switch (child.Key)
            {
                case nameof(EdgeVisionOptions.Model):
                    options.Model = child.Value ?? options.Model;
                    break;
                case nameof(EdgeVisionOptions.ModelDirectory):
                    options.ModelDirectory = child.Value ?? options.ModelDirectory;
                    break;
                case nameof(EdgeVisionOptions.Detector):
                    options.Detector = Bind<DetectorOptions>(child, errors) ?? options.Detector;
                    EdgeVisionOptions.ReplaceDefaultLists(options, edge);
                    break;
                case nameof(EdgeVisionOptions.Pipeline):
                    options.Pipeline = Bind<PipelineOptions>(child, errors) ?? options.Pipeline;
                    break;
                case nameof(EdgeVisionOptions.SnapshotDirectory):
                    options.SnapshotDirectory = child.Value ?? string.Empty;
                    break;
                case nameof(EdgeVisionOptions.SnapshotArchiveBytes):
                    options.SnapshotArchiveBytes = Convert<long>(child, errors, options.SnapshotArchiveBytes);
                    break;
                case nameof(EdgeVisionOptions.ConsoleSummaryInterval):
                    options.ConsoleSummaryInterval = Convert<TimeSpan>(child, errors, options.ConsoleSummaryInterval);
                    break;
                case nameof(EdgeVisionOptions.Cameras):
                    foreach (var camera in child.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
                    {
                        // A camera that does not bind is still counted, so its index and name stay visible.
                        options.Cameras.Add(Bind<CameraOptions>(camera, errors) ?? new CameraOptions { Name = camera["Name"] ?? string.Empty, Source = "?" });
                    }

                    break;
                default:
                    errors.Add($"{child.Path}: unknown setting");
                    break;
            }
        }

        var mqtt = Bind<MqttOptions>(configuration.GetSection(MqttOptions.SectionName), errors) ?? new MqttOptions();
        var http = Bind<Http.HttpOptions>(configuration.GetSection(Http.HttpOptions.SectionName), errors) ?? new Http.HttpOptions();
        var store = Bind<Store.StoreOptions>(configuration.GetSection(Store.StoreOptions.SectionName), errors) ?? new Store.StoreOptions();
        var homeAssistant = Bind<HomeAssistant.HomeAssistantOptions>(configuration.GetSection(HomeAssistant.HomeAssistantOptions.SectionName), errors) ?? new HomeAssistant.HomeAssistantOptions();
        if (errors.Count > 0)
        {
            return errors;
        }

        var edgeResult = new EdgeVisionOptionsValidator(paths).Validate(null, options);
        if (edgeResult.Failed)
        {
            errors.AddRange(edgeResult.Failures);
        }

        errors.AddRange(MqttOptionsValidator.Collect(mqtt));
        errors.AddRange(Http.HttpOptionsValidator.Collect(http));
        errors.AddRange(Store.StoreOptions.Validate(store));
        errors.AddRange(HomeAssistant.HomeAssistantOptions.Validate(homeAssistant, ModelLabels(options, paths)));
        return errors;
    }

    /// <summary>The labels of the configured model, or null when it does not load (which the model check reports).</summary>
    private static IReadOnlyList<string>? ModelLabels(EdgeVisionOptions options, AgentPaths paths)
    {
        try
        {
            return options.Catalog(paths).Load(options.Model).Labels;
        }
        catch (Exception ex) when (ex is ModelException or IOException or InvalidDataException or System.Text.Json.JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// An error line fit to print: any camera URL in it (a binder message quotes the value it could not convert)
    /// loses its password, a quoted 65 536-character value is cut to its ends, and control characters (a NUL, a
    /// line break in a value) become visible escapes so one problem stays one line.
    /// </summary>
    public static string Printable(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var scrubbed = SourceRedaction.Scrub(error);
        if (scrubbed.Length > MaxPrintedLength)
        {
            scrubbed = $"{scrubbed[..(MaxPrintedLength / 2)]}…({scrubbed.Length - MaxPrintedLength} characters left out)…{scrubbed[^(MaxPrintedLength / 2)..]}";
        }

        if (!scrubbed.Any(char.IsControl))
        {
            return scrubbed;
        }

        var builder = new System.Text.StringBuilder(scrubbed.Length + 8);
        foreach (var c in scrubbed)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }

    private static T? Bind<T>(IConfigurationSection section, List<string> errors)
        where T : class, new()
    {
        try
        {
            return section.Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ex.Message.Contains("binding has failed", StringComparison.Ordinal) && EmptyListItem(section) is { } key
                ? $"{key}: empty (null in the file) where a list item is expected"
                : $"{section.Path}: {Explain(ex.Message)}");
            return null;
        }
    }

    /// <summary>
    /// The binder's own message for a null list item ("binding has failed. The likely cause is an invalid
    /// configuration value") names neither the key nor the cause; the key is found here: an empty value with no
    /// children whose last segment is a list index.
    /// </summary>
    private static string? EmptyListItem(IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (int.TryParse(child.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
                && string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any())
            {
                return child.Path;
            }

            if (EmptyListItem(child) is { } deeper)
            {
                return deeper;
            }
        }

        return null;
    }

    private static T Convert<T>(IConfigurationSection section, List<string> errors, T fallback)
    {
        try
        {
            return section.Get<T>() ?? fallback;
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{section.Path}: {FirstLine(ex.Message)}");
            return fallback;
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>The binder's wording for unknown keys names its own option; users need just the keys.</summary>
    private static string Explain(string message)
    {
        const string marker = "the following properties were not found on the instance of ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return FirstLine(message);
        }

        var colon = message.IndexOf(':', at + marker.Length);
        return colon < 0 ? FirstLine(message) : "unknown setting " + message[(colon + 1)..].Trim();
    }
}
