using EdgeVision.EdgeAgent.HomeAssistant;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.EdgeAgent.Http;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.EdgeAgent.Store;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>run</c>: the agent. Configuration comes from config/edgevision.json (or --config FILE), then
/// EDGEVISION_-prefixed environment variables (EDGEVISION_Mqtt__Host=…), then the command line
/// (--Mqtt:Host=…); it is validated before any camera opens, and every bad key is reported (exit 2).
/// </summary>
internal sealed class RunVerb : IVerb
{
    public string Name => "run";

    public string Usage => "[--config FILE] [--Section:Key=value ...]   (default config/edgevision.json: the bundled clip, embedded MQTT broker)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        // Before anything loads OpenCV: its debug switches would print camera URLs with their passwords.
        NativeVideoLogging.Restrict();
        var (configFile, overrides) = SplitArguments(args);
        var paths = AgentPaths.Discover();
        configFile = configFile is null ? paths.DefaultConfig : Path.GetFullPath(configFile);
        if (!File.Exists(configFile))
        {
            throw new UserFacingException($"run: configuration file not found: {configFile}", 2);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = paths.ContentRoot,
        });
        ConfigurationFile.Add(builder.Configuration, configFile);
        builder.Configuration.AddEnvironmentVariables("EDGEVISION_");
        builder.Configuration.AddCommandLine(overrides);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical); // start failures are reported as one line below
        // SIGTERM (systemd stop, docker stop, kill) and Ctrl+C stop the host gracefully; under systemd,
        // AddSystemd replaces this with its own lifetime.
        builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
        builder.Services.AddSystemd();

        // AddSystemd registers the notifier only under systemd; elsewhere the watchdog gets one that is not enabled.
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();

        builder.AddMqttPublishing();
        builder.AddEdgeVisionPipeline(paths);
        builder.AddEventStore();
        builder.AddHttpSurface();
        builder.AddHomeAssistantDiscovery();
        builder.Services.AddSingleton(sp => WatchHint(sp.GetRequiredService<IOptions<MqttOptions>>().Value));

        // Every configuration problem is reported together, before anything starts.
        var problems = ConfigurationCheck.Collect(builder.Configuration, paths);
        if (problems.Count > 0)
        {
            throw ConfigurationError(problems);
        }

        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            throw ConfigurationError(ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw ConfigurationError(ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        }

        return Environment.ExitCode;
    }

    private static UserFacingException ConfigurationError(IEnumerable<string> failures) =>
        new("invalid configuration:" + string.Concat(failures.Select(ConfigurationCheck.Printable).Distinct().Select(f => Environment.NewLine + "  " + f)), 2);

    private static ConsoleSummaryHint WatchHint(MqttOptions mqtt)
    {
        var host = mqtt.UsesEmbeddedBroker ? mqtt.Embedded.BindAddress : mqtt.Host;
        var port = mqtt.UsesEmbeddedBroker ? mqtt.Embedded.Port : mqtt.Port;
        var tls = mqtt.Tls.Enabled && !mqtt.UsesEmbeddedBroker
            ? string.IsNullOrWhiteSpace(mqtt.Tls.CaFile) ? " --capath /etc/ssl/certs" : $" --cafile {mqtt.Tls.CaFile}"
            : string.Empty;
        return new ConsoleSummaryHint($"watch the topics with: mosquitto_sub -h {host} -p {port}{tls} -v -t '{mqtt.TopicPrefix}/#'");
    }

    /// <summary>--config FILE is the verb's own; everything else is a configuration override.</summary>
    private static (string? ConfigFile, string[] Overrides) SplitArguments(string[] args)
    {
        string? config = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                config = i + 1 < args.Length ? args[++i] : throw new UserFacingException("run: option --config needs a file", 2);
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                config = args[i]["--config=".Length..];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal))
            {
                rest.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal))
                {
                    rest.Add(i + 1 < args.Length ? args[++i] : throw new UserFacingException($"run: setting {args[i]} needs a value", 2));
                }
            }
            else
            {
                throw new UserFacingException($"run: unexpected argument '{args[i]}' (settings look like --EdgeVision:Model=nanodet-g-416)", 2);
            }
        }

        return (config, rest.ToArray());
    }
}
