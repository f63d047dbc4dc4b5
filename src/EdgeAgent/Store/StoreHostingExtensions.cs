using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Store;

internal static class StoreHostingExtensions
{
    /// <summary>Binds the <c>Store</c> section and keeps the history: events and counts from every processed frame.</summary>
    public static IHostApplicationBuilder AddEventStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.SectionName);
        services.AddSingleton(sp => new EventStore(
            sp.GetRequiredService<IOptions<StoreOptions>>().Value,
            sp.GetRequiredService<IOptions<MqttOptions>>().Value.DeviceId,
            sp.GetRequiredService<ILogger<EventStore>>()));
        services.AddHostedService(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<IFrameTap>(sp => sp.GetRequiredService<EventStore>());
        return builder;
    }
}
