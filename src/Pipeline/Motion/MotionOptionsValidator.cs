using System.Globalization;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Pipeline.Motion;

/// <summary>
/// Checks a camera's motion options and returns every problem at once, each under its full configuration key.
/// What depends on the frame's size (a mask in pixels, the grey frame's height) is checked by
/// <see cref="ValidateForFrame"/> once the size is known: at start for a file, on the first frame for a live camera.
/// </summary>
public static class MotionOptionsValidator
{
    /// <param name="key">The section's key, e.g. "EdgeVision:Cameras:0:Motion".</param>
    public static List<string> Validate(MotionOptions options, string key)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Require(errors, options.FrameHeight is >= 16 and <= 1080, $"{key}:FrameHeight: must be 16 to 1080 pixels, found {options.FrameHeight}");
        Require(errors, options.Threshold is >= 1 and <= 254, $"{key}:Threshold: must be 1 to 254 (a change of grey level), found {options.Threshold}");
        Require(errors, float.IsFinite(options.MinArea) && options.MinArea >= 0, $"{key}:MinArea: must be 0 or more (up to 1 a fraction of the frame, above 1 square pixels), found {Format(options.MinArea)}");
        Require(errors, options.BackgroundTime >= TimeSpan.FromMilliseconds(100) && options.BackgroundTime <= TimeSpan.FromHours(1), $"{key}:BackgroundTime: must be 00:00:00.1 to 01:00:00, found {options.BackgroundTime}");
        Require(errors, options.GlobalChangeShare is > 0.05f and <= 1f, $"{key}:GlobalChangeShare: must be above 0.05 and at most 1 (a share of the frame), found {Format(options.GlobalChangeShare)}");
        Require(errors, options.KeepAliveInterval >= TimeSpan.FromSeconds(1) && options.KeepAliveInterval <= TimeSpan.FromHours(1), $"{key}:KeepAliveInterval: must be 00:00:01 to 01:00:00, found {options.KeepAliveInterval}");
        Require(errors, options.Regions is MotionOptions.RegionsAuto or MotionOptions.RegionsOff, $"{key}:Regions: must be '{MotionOptions.RegionsAuto}' or '{MotionOptions.RegionsOff}', found '{options.Regions}'");
        Require(errors, options.MinRegionScale is >= 0.1f and <= 1f, $"{key}:MinRegionScale: must be 0.1 to 1, found {Format(options.MinRegionScale)}");

        for (var i = 0; i < options.Masks.Count; i++)
        {
            MaskValidation.Check(errors, $"{key}:Masks:{i}", options.Masks[i]);
        }

        return errors;
    }

    /// <summary>The checks that need the frame's size.</summary>
    public static List<string> ValidateForFrame(MotionOptions options, string key, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.FrameHeight > height)
        {
            errors.Add($"{key}:FrameHeight: {options.FrameHeight} is above the frame's height ({width}×{height})");
        }

        for (var i = 0; i < options.Masks.Count; i++)
        {
            var mask = options.Masks[i];
            if (mask.Points.Any(p => p is not { Length: 2 }) || RegionCoordinates.IsNormalized(mask.Normalized, mask.Points))
            {
                continue;
            }

            for (var p = 0; p < mask.Points.Count; p++)
            {
                var point = mask.Points[p];
                if (point[0] > width || point[1] > height)
                {
                    errors.Add($"{key}:Masks:{i}:Points:{p}: [{Format(point[0])}, {Format(point[1])}] is outside the {width}×{height} frame");
                }
            }
        }

        return errors;
    }

    private static void Require(List<string> errors, bool condition, string message)
    {
        if (!condition)
        {
            errors.Add(message);
        }
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
