using System.Text;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>The cameras: their state, their latest image, and detection on/off by the same path as MQTT's <c>detect/set</c>.</summary>
internal static class CamerasApi
{
    // A detect command body is ON or OFF; anything longer is refused unread.
    private const int MaxCommandBytes = 16;

    public static IEndpointRouteBuilder MapCamerasApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/cameras");
        api.MapGet("/", List).WithName("ListCameras").WithSummary("Every camera: status, detection on/off, rates, counters and what is in view");
        api.MapGet("/{name}/latest.jpg", LatestJpeg).WithName("LatestImage").WithSummary("The latest processed frame as JPEG, with its boxes unless boxes=0");
        api.MapPost("/{name}/detect", SetDetect).WithName("SetDetect").WithSummary("ON or OFF: resume or pause detection, as MQTT detect/set");
        return app;
    }

    public static Ok<CameraInfo[]> List(CameraStates states, IPipelineStatistics statistics, LatestFrames frames)
    {
        var snapshot = statistics.Snapshot();
        var cameras = states.Cameras.Select(name =>
        {
            var counters = snapshot.Cameras.FirstOrDefault(c => c.Name == name);
            var latest = frames.Latest(name);
            var inView = latest is null
                ? new SortedDictionary<string, int>(StringComparer.Ordinal)
                : new SortedDictionary<string, int>(latest.Detections.GroupBy(d => d.Label).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
            return new CameraInfo(
                name,
                states.IsOnline(name) ? "online" : "offline",
                states.IsDetecting(name),
                Math.Round(counters?.CapturedFps ?? 0, 2),
                Math.Round(counters?.ProcessedFps ?? 0, 2),
                counters?.Captured ?? 0,
                counters?.Detected ?? 0,
                counters?.MotionSkipped ?? 0,
                counters?.Dropped ?? 0,
                counters?.Regions ?? 0,
                counters?.FilteredDetections ?? 0,
                latest?.CapturedAt.UtcDateTime,
                inView);
        }).ToArray();
        return TypedResults.Ok(cameras);
    }

    public static Results<FileContentHttpResult, ProblemHttpResult> LatestJpeg(
        string name, string? h, string? boxes, CameraStates states, LatestFrames frames)
    {
        if (!states.Contains(name))
        {
            return Problems.UnknownCamera(name);
        }

        if (!Problems.TryNumber(h, "h", 16, 2160, " pixels", out var height, out var badHeight))
        {
            return badHeight!;
        }

        if (boxes is not (null or "0" or "1"))
        {
            return TypedResults.Problem(Problems.Of(400, "bad parameter", $"boxes must be 0 or 1, found '{Problems.Quote(boxes)}'", "boxes"));
        }

        var jpeg = frames.Jpeg(name, height, boxes != "0");
        return jpeg is null
            ? TypedResults.Problem(Problems.Of(503, "no frame yet", $"camera '{name}' has not produced a processed frame yet", "name"))
            : TypedResults.File(jpeg, "image/jpeg");
    }

    public static async Task<Results<Ok<string>, ProblemHttpResult>> SetDetect(
        string name, HttpRequest request, CameraStates states, DetectCommandHandler commands)
    {
        if (!SameOrigin(request))
        {
            return TypedResults.Problem(Problems.Of(403, "cross-site request", "the Origin header does not match this host", "Origin"));
        }

        if (!states.Contains(name))
        {
            return Problems.UnknownCamera(name);
        }

        var buffer = new byte[MaxCommandBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        var text = read > MaxCommandBytes ? null : Encoding.UTF8.GetString(buffer, 0, read).Trim();
        if (text is null || !(text.Equals("ON", StringComparison.OrdinalIgnoreCase) || text.Equals("OFF", StringComparison.OrdinalIgnoreCase)))
        {
            return TypedResults.Problem(Problems.Of(400, "bad command", "the body must be ON or OFF", "body"));
        }

        var detect = text.Equals("ON", StringComparison.OrdinalIgnoreCase);
        commands.Apply(name, detect);
        return TypedResults.Ok(detect ? CameraStatePublisher.DetectingPayload : CameraStatePublisher.PausedPayload);
    }

    /// <summary>A browser sends Origin with a cross-site POST; a request without one (curl, a script) or from this host passes.</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var url) && string.Equals(url.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>RFC 9457 problem details that name the bad parameter; quoted input is cut and stripped of control characters.</summary>
internal static class Problems
{
    public static ProblemDetails Of(int status, string title, string detail, string parameter) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { ["parameter"] = parameter },
    };

    public static ProblemHttpResult UnknownCamera(string name) =>
        TypedResults.Problem(Of(404, "unknown camera", $"no camera is named '{Quote(name)}'", "name"));

    /// <summary>
    /// A query value that must be a whole number from <paramref name="min"/> to <paramref name="max"/>: null when not
    /// given, the number when good; false with the problem naming <paramref name="parameter"/> otherwise.
    /// </summary>
    public static bool TryNumber(string? text, string parameter, int min, int max, string unit, out int? value, out ProblemHttpResult? problem)
    {
        value = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            value = number;
            return true;
        }

        problem = TypedResults.Problem(Of(400, "bad parameter", $"{parameter} must be a whole number from {min} to {max}{unit}, found '{Quote(text)}'", parameter));
        return false;
    }

    public static string Quote(string value)
    {
        var cut = value.Length > 64 ? value[..64] + "…" : value;
        return new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
