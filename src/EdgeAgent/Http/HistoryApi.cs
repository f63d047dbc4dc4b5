using System.Globalization;
using EdgeVision.EdgeAgent.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>A count over time, as <c>GET /api/counts</c> answers.</summary>
internal sealed record CountSeries(string Camera, string Zone, string Label, string Kind, string? Direction, double StepSeconds, IReadOnlyList<CountPoint> Points);

internal sealed record CountPoint(DateTime At, int Value);

/// <summary>The on-device history: stored events, one at a time or paged, and counts over time.</summary>
internal static class HistoryApi
{
    public const int MaxLimit = 500;
    private const int MaxPoints = 10_000;

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", Events).WithName("Events").WithSummary("Stored events, newest first; after/before take a time or an event id (exact paging)");
        app.MapGet("/api/events/{eventId}", Event).WithName("Event").WithSummary("One stored event");
        app.MapGet("/api/counts", Counts).WithName("Counts").WithSummary("A zone's or the view's count of a label over time, one point per step");
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Events(string? camera, string? label, string? zone, string? after, string? before, string? limit, EventStore store)
    {
        if (!store.Available)
        {
            return Unavailable();
        }

        if (!Problems.TryNumber(limit, "limit", 1, MaxLimit, string.Empty, out var asked, out var badLimit))
        {
            return badLimit!;
        }

        if (!TryCursor(store, after, "after", out var from, out var badAfter))
        {
            return badAfter!;
        }

        if (!TryCursor(store, before, "before", out var to, out var badBefore))
        {
            return badBefore!;
        }

        var events = store.Events(camera, label, zone, from, to, asked ?? 50);
        return TypedResults.Content("[" + string.Join(',', events) + "]", "application/json; charset=utf-8");
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Event(string eventId, EventStore store)
    {
        if (!store.Available)
        {
            return Unavailable();
        }

        return store.Event(eventId) is { } json
            ? TypedResults.Content(json, "application/json; charset=utf-8")
            : TypedResults.Problem(Problems.Of(404, "unknown event", $"no stored event is '{Problems.Quote(eventId)}'", "eventId"));
    }

    public static Results<Ok<CountSeries>, ProblemHttpResult> Counts(
        string? camera, string? zone, string? label, string? kind, string? direction, string? from, string? to, string? step, EventStore store)
    {
        if (!store.Available)
        {
            return Unavailable();
        }

        if (string.IsNullOrEmpty(camera))
        {
            return TypedResults.Problem(Problems.Of(400, "missing parameter", "camera is required", "camera"));
        }

        kind ??= "occupancy";
        if (kind is not ("occupancy" or "crossings"))
        {
            return TypedResults.Problem(Problems.Of(400, "bad parameter", $"kind must be occupancy or crossings, found '{Problems.Quote(kind)}'", "kind"));
        }

        if (kind == "crossings" ? direction is not ("in" or "out") : direction is not null)
        {
            return TypedResults.Problem(Problems.Of(400, "bad parameter", "direction is in or out for crossings, and not given for occupancy", "direction"));
        }

        var now = DateTimeOffset.UtcNow;
        if (!TryTime(to, now, out var end) || !TryTime(from, end - TimeSpan.FromHours(1), out var start) || start >= end)
        {
            return TypedResults.Problem(Problems.Of(400, "bad parameter", "from and to must be ISO 8601 times with from before to", TryTime(to, now, out _) ? "from" : "to"));
        }

        if (!Problems.TryNumber(step, "step", 1, 86_400, " seconds", out var seconds, out var badStep))
        {
            return badStep!;
        }

        var stepLength = TimeSpan.FromSeconds(seconds ?? 60);

        if ((end - start) / stepLength > MaxPoints)
        {
            return TypedResults.Problem(Problems.Of(400, "bad parameter", $"from–to holds more than {MaxPoints} steps; take a longer step", "step"));
        }

        var area = zone ?? "all";
        var points = store.Counts(camera, area, label ?? "all", kind, direction ?? string.Empty, start, end, stepLength);
        return TypedResults.Ok(new CountSeries(camera, area, label ?? "all", kind, direction, stepLength.TotalSeconds, points.Select(p => new CountPoint(p.At.UtcDateTime, p.Value)).ToArray()));
    }

    private static ProblemHttpResult Unavailable() =>
        TypedResults.Problem(Problems.Of(503, "history is off", "the on-device store is disabled or failed (see the agent's log)", "Store"));

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset time)
    {
        if (text is null)
        {
            time = fallback;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>A time (an ISO 8601 instant) or the id of a stored event.</summary>
    private static bool TryCursor(EventStore store, string? text, string parameter, out EventCursor? cursor, out ProblemHttpResult? problem)
    {
        cursor = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            // A bare time sorts before every event of that millisecond when used as "after", after them as "before".
            cursor = new EventCursor(time.ToUnixTimeMilliseconds(), parameter == "after" ? "\uffff" : string.Empty);
            return true;
        }

        if (store.CursorOf(text) is { } known)
        {
            cursor = known;
            return true;
        }

        problem = TypedResults.Problem(Problems.Of(400, "bad parameter", $"{parameter} must be an ISO 8601 time or a stored event's id, found '{Problems.Quote(text)}'", parameter));
        return false;
    }
}
