using EdgeVision.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Hosting;

internal static class PipelineHostingExtensions
{
    /// <summary>
    /// Binds and validates the <c>EdgeVision</c> section at start, and registers the pipeline service, the
    /// systemd watchdog feeder and the console summary. Needs an <see cref="IDetectionSink"/> (the MQTT
    /// publisher) registered as well.
    /// </summary>
    public static IHostApplicationBuilder AddEdgeVisionPipeline(this IHostApplicationBuilder builder, AgentPaths paths)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(paths);
        services.AddOptions<EdgeVisionOptions>().BindConfiguration(EdgeVisionOptions.Section)
            .PostConfigure<Microsoft.Extensions.Configuration.IConfiguration>((options, configuration) =>
                EdgeVisionOptions.ReplaceDefaultLists(options, configuration.GetSection(EdgeVisionOptions.Section)))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EdgeVisionOptions>, EdgeVisionOptionsValidator>();
        services.AddSingleton(sp => new CameraStates(
            sp.GetRequiredService<IOptions<EdgeVisionOptions>>().Value.Cameras.Where(c => c.Enabled).Select(c => c.Name)));
        services.AddSingleton<PipelineStatisticsProxy>();
        services.AddSingleton(sp => new SequenceFile(
            StateDirectory.Combine($"sequences-{Mqtt.MqttTopics.Slug(sp.GetRequiredService<IOptions<Mqtt.MqttOptions>>().Value.DeviceId)}.json"),
            sp.GetRequiredService<ILogger<SequenceFile>>()));
        services.AddSingleton<IPipelineStatistics>(sp => sp.GetRequiredService<PipelineStatisticsProxy>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EdgeVisionOptions>>().Value;
            var archive = new SnapshotArchive(
                sp.GetRequiredService<IDetectionSink>(),
                string.IsNullOrEmpty(options.SnapshotDirectory) ? SnapshotArchive.DefaultRoot() : options.SnapshotDirectory,
                options.SnapshotArchiveBytes,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<SnapshotArchive>());
            return new RecentPublications(archive);
        });
        services.AddHostedService<PipelineService>();
        services.AddHostedService<FrameFlowWatchdog>();
        services.AddHostedService<ConsoleSummary>();
        return builder;
    }
}
