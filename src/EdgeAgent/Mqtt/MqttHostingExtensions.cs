using EdgeVision.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Mqtt;

internal static class MqttHostingExtensions
{
    /// <summary>
    /// Binds and validates the <c>Mqtt</c> section at start, runs the embedded broker when no <c>Mqtt:Host</c> is
    /// set, and registers <see cref="MqttPublisher"/> as the pipeline's <see cref="IDetectionSink"/> plus the stats
    /// loop (which reads the <see cref="IPipelineStatistics"/> the pipeline registers), the per-camera status and
    /// detect topics and the detect command handler (which use the <see cref="CameraStates"/> the pipeline
    /// registers). Hosted services start in this
    /// order and stop in reverse: the broker is up before the publisher connects and outlives its clean stop.
    /// </summary>
    public static IHostApplicationBuilder AddMqttPublishing(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>();
        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddSingleton<MqttPublisher>();
        services.AddSingleton<IDetectionSink>(sp => sp.GetRequiredService<MqttPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttPublisher>());
        services.AddHostedService<StatsPublisher>();
        // The pipeline registers the real one, with its cameras; alone, the publisher knows no camera.
        services.TryAddSingleton(_ => new CameraStates());
        services.AddSingleton<CameraStatePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<CameraStatePublisher>());
        services.AddSingleton<DetectCommandHandler>();
        services.AddHostedService(sp => sp.GetRequiredService<DetectCommandHandler>());
        return builder;
    }
}
