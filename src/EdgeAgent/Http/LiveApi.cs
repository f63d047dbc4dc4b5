using System.Text;
using EdgeVision.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>Live viewing: a camera's processed frames as MJPEG, the event feed as server-sent events, and each recent object's best snapshot.</summary>
internal static class LiveApi
{
    /// <summary>The rate limiter policy holding each client address to <see cref="HttpOptions.StreamsPerClient"/> open streams.</summary>
    public const string StreamsPolicy = "streams";

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cameras/{name}/stream.mjpeg", StreamAsync).RequireRateLimiting(StreamsPolicy).WithName("LiveStream").WithSummary("The camera's processed frames with their boxes as MJPEG (multipart/x-mixed-replace)");
        app.MapGet("/api/events/stream", Events).RequireRateLimiting(StreamsPolicy).WithName("EventFeed").WithSummary("A 'ready' event, the recent events, then each new one, as server-sent events ('event') in the MQTT event JSON");
        app.MapGet("/api/objects/{objectId}/snapshot.jpg", Snapshot).WithName("ObjectSnapshot").WithSummary("The best view of a recent object");
        return app;
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> StreamAsync(
        string name, string? fps, string? h, HttpContext context, CameraStates states, LatestFrames frames, IOptions<HttpOptions> options)
    {
        var settings = options.Value;
        if (!states.Contains(name))
        {
            return Problems.UnknownCamera(name);
        }

        if (!Problems.TryNumber(fps, "fps", 1, settings.LiveMaxFps, " frames a second", out var asked, out var badRate))
        {
            return badRate!;
        }

        if (!Problems.TryNumber(h, "h", 16, LatestFrames.MaxHeight, " pixels", out var height, out var badHeight))
        {
            return badHeight!;
        }

        var rate = asked ?? settings.LiveMaxFps;
        if (!frames.TryAddViewer(name, settings.LiveMaxClients))
        {
            return TypedResults.Problem(Problems.Of(503, "too many viewers", $"camera '{name}' already has {settings.LiveMaxClients} live viewers", "name"));
        }

        try
        {
            var response = context.Response;
            response.ContentType = "multipart/x-mixed-replace; boundary=frame";
            response.Headers.CacheControl = "no-store";
            await response.StartAsync(context.RequestAborted).ConfigureAwait(false);

            // The headers go now: a camera with no frame yet still answers at once.
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            var interval = TimeSpan.FromSeconds(1.0 / rate);
            long shown = -1;
            while (!context.RequestAborted.IsCancellationRequested)
            {
                // Encoded once per frame for every viewer (LatestFrames shares its last encoding); a frame that
                // arrives while a viewer waits out its interval is skipped for it.
                var version = frames.Version(name);
                if (version != shown && frames.Jpeg(name, height, boxes: true) is { } jpeg)
                {
                    var header = Encoding.ASCII.GetBytes($"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n");
                    await response.Body.WriteAsync(header, context.RequestAborted).ConfigureAwait(false);
                    await response.Body.WriteAsync(jpeg, context.RequestAborted).ConfigureAwait(false);
                    await response.Body.WriteAsync("\r\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
                    await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    shown = version;
                }

                await Task.Delay(interval, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left.
        }
        catch (IOException)
        {
            // The connection broke mid-frame: the viewer is gone as well.
        }
        finally
        {
            frames.RemoveViewer(name);
        }

        return TypedResults.Empty;
    }

    public static Results<ServerSentEventsResult<string>, ProblemHttpResult> Events(HttpContext context, EventFeed feed, IOptions<HttpOptions> options)
    {
        var events = feed.Watch(options.Value.EventViewers, context.RequestAborted);
        return events is null
            ? TypedResults.Problem(Problems.Of(503, "too many viewers", $"the event feed already has {options.Value.EventViewers} viewers", "path"))
            : TypedResults.ServerSentEvents(events);
    }

    public static Results<FileContentHttpResult, ProblemHttpResult> Snapshot(string objectId, EventFeed feed) =>
        feed.Snapshot(objectId) is { } jpeg
            ? TypedResults.File(jpeg, "image/jpeg")
            : TypedResults.Problem(Problems.Of(404, "unknown object", $"no recent object is '{Problems.Quote(objectId)}'", "objectId"));
}
