using EdgeVision.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Http;

internal static class HttpHostingExtensions
{
    /// <summary>
    /// Binds and validates the <c>Http</c> section, keeps each camera's latest frame for viewers (the pipeline's
    /// <see cref="IFrameTap"/>) and starts the web surface after the pipeline and MQTT services.
    /// </summary>
    public static IHostApplicationBuilder AddHttpSurface(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>();
        services.AddSingleton(sp => new LatestFrames(
            sp.GetRequiredService<IOptions<HttpOptions>>().Value.Enabled,
            sp.GetRequiredService<IOptions<Hosting.EdgeVisionOptions>>().Value.Cameras
                .Where(c => c.Enabled).GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First().Analytics)));
        services.AddSingleton(sp => new EventFeed(
            sp.GetRequiredService<IOptions<Mqtt.MqttOptions>>().Value.DeviceId,
            sp.GetRequiredService<IOptions<HttpOptions>>().Value.Enabled));
        services.AddSingleton<IFrameTap>(sp => sp.GetRequiredService<LatestFrames>());
        services.AddSingleton<IFrameTap>(sp => sp.GetRequiredService<EventFeed>());
        services.AddSingleton<HttpSurface>();
        services.AddHostedService(sp => sp.GetRequiredService<HttpSurface>());
        return builder;
    }
}
