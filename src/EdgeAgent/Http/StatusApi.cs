using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>Health for orchestrators and probes, and the stats the MQTT stats topic carries.</summary>
internal static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Live).WithName("Liveness").WithSummary("200 while the agent's web surface answers");
        app.MapGet("/readyz", Ready).WithName("Readiness").WithSummary("200 when the detector is loaded, every camera delivers and MQTT or the outbox takes messages; else 503 with the reasons");
        app.MapGet("/api/stats", Stats).WithName("Stats").WithSummary("The stats message, as published on <prefix>/<device>/stats");
        return app;
    }

    public static Ok<HealthReport> Live() => TypedResults.Ok(new HealthReport("ok", []));

    public static Results<Ok<HealthReport>, JsonHttpResult<HealthReport>> Ready(IPipelineStatistics statistics, CameraStates states, MqttPublisher publisher)
    {
        var reasons = new List<string>();
        if (statistics.Snapshot().ExecutionProvider == "starting")
        {
            reasons.Add("detector: not loaded yet");
        }

        foreach (var camera in states.Cameras.Where(c => !states.IsOnline(c)))
        {
            reasons.Add($"camera {camera}: offline");
        }

        var outbox = publisher.OutboxCounters;
        if (!publisher.Counters.Connected && outbox.Unsaved > 0)
        {
            reasons.Add("mqtt: not connected, and the outbox could not save messages");
        }

        return reasons.Count == 0
            ? TypedResults.Ok(new HealthReport("ok", []))
            : TypedResults.Json(new HealthReport("unavailable", reasons), HttpJsonContext.Default.HealthReport, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static JsonHttpResult<StatsMessage> Stats(IPipelineStatistics statistics, MqttPublisher publisher, IOptions<MqttOptions> mqtt, Store.EventStore store) =>
        TypedResults.Json(StatsMessage.From(mqtt.Value.DeviceId, statistics.Snapshot(), publisher.Counters, publisher.OutboxCounters, store.Counters), HttpJsonContext.Default.StatsMessage);
}
