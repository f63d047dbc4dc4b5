using System.Reflection;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.HomeAssistant;

internal static class HomeAssistantHostingExtensions
{
    /// <summary>Binds <c>HomeAssistant</c> and announces the agent to Home Assistant over MQTT discovery (after MQTT and the pipeline are registered).</summary>
    public static IHostApplicationBuilder AddHomeAssistantDiscovery(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<HomeAssistantOptions>().BindConfiguration(HomeAssistantOptions.SectionName);
        services.AddSingleton(sp =>
        {
            var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            return new DiscoveryPlan(
                sp.GetRequiredService<IOptions<HomeAssistantOptions>>().Value,
                sp.GetRequiredService<MqttPublisher>().Topics,
                mqtt.DeviceId,
                sp.GetRequiredService<IOptions<EdgeVisionOptions>>().Value.Cameras,
                Version());
        });
        services.AddSingleton(sp =>
        {
            var plan = sp.GetRequiredService<DiscoveryPlan>();
            return new HomeAssistantDiscovery(
                sp.GetRequiredService<IOptions<HomeAssistantOptions>>().Value,
                sp.GetRequiredService<MqttPublisher>(),
                sp.GetRequiredService<CameraStatePublisher>(),
                plan,
                StateDirectory.Combine($"homeassistant-{plan.DeviceSlug}.json"),
                sp.GetRequiredService<ILogger<HomeAssistantDiscovery>>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<HomeAssistantDiscovery>());
        return builder;
    }

    /// <summary>The agent's version without the build's commit suffix.</summary>
    public static string Version()
    {
        var version = typeof(HomeAssistantHostingExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
