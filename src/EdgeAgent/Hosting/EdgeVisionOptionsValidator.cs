using System.Text.RegularExpressions;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Checks the whole "EdgeVision" section and reports every problem at once, each naming its key, so that a
/// bad configuration is fixed in one round and the agent exits (code 2) before any camera opens.
/// </summary>
internal sealed partial class EdgeVisionOptionsValidator : IValidateOptions<EdgeVisionOptions>
{
    private readonly AgentPaths _paths;

    public EdgeVisionOptionsValidator(AgentPaths paths)
    {
        _paths = paths;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex CameraName();

    public ValidateOptionsResult Validate(string? name, EdgeVisionOptions options)
    {
        var errors = new List<string>();
        const string s = EdgeVisionOptions.Section;

        ModelPackage? model = null;
        if (options.Model.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{s}:Model: must not contain NUL");
        }
        else
        {
            try
            {
                model = options.Catalog(_paths).Load(options.Model);
            }
            catch (ModelException ex)
            {
                errors.Add($"{s}:Model: {ex.Message}");
            }
        }

        Require(errors, !options.SnapshotDirectory.Contains('\0', StringComparison.Ordinal), $"{s}:SnapshotDirectory: must not contain NUL");

        if (model is not null)
        {
            errors.AddRange(options.Detector.Validate(model.Labels).Select(e => $"{s}:Detector:{e}"));

            // Labels appear in topics and ids as slugs: two that make one slug, or one that makes a reserved word, would mix.
            var slugs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in model.Labels.Distinct(StringComparer.Ordinal))
            {
                var slug = Mqtt.MqttTopics.Slug(label);
                if (CameraAnalyticsValidator.ReservedNames.Contains(slug))
                {
                    errors.Add($"{s}:Model: label '{label}' of {options.Model} becomes the reserved topic word '{slug}'");
                }
                else if (!slugs.TryAdd(slug, label))
                {
                    errors.Add($"{s}:Model: labels '{slugs[slug]}' and '{label}' of {options.Model} both become the topic level '{slug}'");
                }
            }
        }

        if (options.Detector.Placement == DetectorOptions.AutoPlacement)
        {
            // Under auto the agent chooses these; a value given by hand would be silently replaced.
            const string manual = $"set {s}:Detector:Placement to '{DetectorOptions.ManualPlacement}' to place by hand";
            Require(errors, options.Detector.Cpus.Length == 0, $"{s}:Detector:Cpus: chosen by Placement '{DetectorOptions.AutoPlacement}'; {manual}");
            Require(errors, options.Detector.IntraOpThreads == Environment.ProcessorCount, $"{s}:Detector:IntraOpThreads: chosen by Placement '{DetectorOptions.AutoPlacement}'; {manual}");
            for (var i = 0; i < options.Cameras.Count; i++)
            {
                Require(errors, options.Cameras[i].CaptureCpus.Length == 0, $"{s}:Cameras:{i}:CaptureCpus: chosen by Placement '{DetectorOptions.AutoPlacement}'; {manual}");
            }
        }

        errors.AddRange(options.Pipeline.Validate().Select(e => $"{s}:Pipeline:{e}"));
        Require(errors, options.SnapshotArchiveBytes >= 0, $"{s}:SnapshotArchiveBytes: must not be negative, found {options.SnapshotArchiveBytes}");
        Require(errors, options.ConsoleSummaryInterval >= TimeSpan.Zero, $"{s}:ConsoleSummaryInterval: must not be negative");

        if (options.Cameras.Count == 0)
        {
            errors.Add($"{s}:Cameras: configure at least one camera");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var key = $"{s}:Cameras:{i}";
            if (!CameraName().IsMatch(camera.Name ?? string.Empty))
            {
                errors.Add($"{key}:Name: '{camera.Name}' must be 1 to 64 characters of a-z, 0-9, '_' or '-' (it becomes part of MQTT topics)");
            }
            else if (CameraAnalyticsValidator.ReservedNames.Contains(camera.Name!))
            {
                errors.Add($"{key}:Name: '{camera.Name}' is a reserved topic word ({string.Join(", ", CameraAnalyticsValidator.ReservedNames)})");
            }
            else if (!seen.Add(camera.Name!))
            {
                errors.Add($"{key}:Name: '{camera.Name}' is used by another camera");
            }

            if (string.IsNullOrWhiteSpace(camera.Source))
            {
                errors.Add($"{key}:Source: give a file path, an rtsp:// or http(s):// URL, or a device (0, /dev/video0)");
            }
            else if (camera.Source.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add($"{key}:Source: must not contain NUL");
            }
            else if (camera.Source.Any(char.IsControl))
            {
                errors.Add($"{key}:Source: must not contain control characters (a line break, a tab)");
            }
            else if (CameraSource.KindOf(camera.Source) == CameraSourceKind.File && !File.Exists(_paths.Resolve(camera.Source)))
            {
                // A URL missing its "//" lands here; with an '@' it may carry a password, so it is not repeated.
                errors.Add(camera.Source.Contains('@', StringComparison.Ordinal)
                    ? $"{key}:Source: neither a URL (scheme://…) nor an existing file; not shown because it contains '@' and may hold a password"
                    : $"{key}:Source: file not found: {_paths.Resolve(camera.Source)}");
            }

            if (model is not null)
            {
                errors.AddRange(CameraAnalyticsValidator.Validate(camera.Analytics, $"{key}:Analytics", model.Labels));
            }

            var motionErrors = MotionOptionsValidator.Validate(camera.Motion, $"{key}:Motion");
            errors.AddRange(motionErrors);
            if (motionErrors.Count == 0 && camera.Motion.Enabled && CameraSource.KindOf(camera.Source ?? string.Empty) == CameraSourceKind.File
                && !camera.Source!.Contains('\0', StringComparison.Ordinal) && File.Exists(_paths.Resolve(camera.Source))
                && VideoFileProbe.FrameSize(_paths.Resolve(camera.Source)) is var (width, height))
            {
                // A file's frame size is known now; a live camera's settings are checked against its first frame.
                errors.AddRange(MotionOptionsValidator.ValidateForFrame(camera.Motion, $"{key}:Motion", width, height));
            }

            Require(errors, camera.Analytics.SummaryInterval >= TimeSpan.Zero, $"{key}:Analytics:SummaryInterval: must not be negative");
            Require(errors, camera.DetectFps is null or (> 0 and <= 1000), $"{key}:DetectFps: must be above 0 and at most 1000, found {camera.DetectFps}");
            Require(errors, camera.PaceFps is null or (> 0 and <= 1000), $"{key}:PaceFps: must be above 0 and at most 1000, found {camera.PaceFps}");
            Require(errors, camera.CaptureNice is >= 0 and <= 19, $"{key}:CaptureNice: must be 0 to 19, found {camera.CaptureNice}");
            errors.AddRange(CpuAffinity.Check(camera.CaptureCpus).Select(e => $"{key}:CaptureCpus: {e}"));
            Require(errors, camera.DecodeThreads is >= 0 and <= 64, $"{key}:DecodeThreads: must be 0 (FFmpeg's choice) to 64, found {camera.DecodeThreads}");
            Require(errors, camera.OpenTimeout > TimeSpan.Zero, $"{key}:OpenTimeout: must be positive");
            Require(errors, camera.ReadTimeout > TimeSpan.Zero, $"{key}:ReadTimeout: must be positive");
            Require(errors, camera.ReconnectInitialDelay > TimeSpan.Zero, $"{key}:ReconnectInitialDelay: must be positive");
            Require(errors, camera.ReconnectMaxDelay >= camera.ReconnectInitialDelay, $"{key}:ReconnectMaxDelay: must be at least ReconnectInitialDelay");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Require(List<string> errors, bool condition, string message)
    {
        if (!condition)
        {
            errors.Add(message);
        }
    }
}
