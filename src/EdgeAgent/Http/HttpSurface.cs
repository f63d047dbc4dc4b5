using System.Net.Sockets;
using System.Threading.RateLimiting;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// The agent's web surface: a Kestrel server of its own, started with the agent and stopped before it, serving
/// the JSON API and health from the same objects the MQTT side reads (camera states, the statistics, the latest
/// frames, the detect command path). It never reaches into a pipeline stage. If it cannot listen (the port is
/// taken), that is one error line and the agent goes on detecting and publishing without it.
/// </summary>
internal sealed partial class HttpSurface : IHostedService, IAsyncDisposable
{
    private readonly HttpOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger<HttpSurface> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private Task _starting = Task.CompletedTask;

    public HttpSurface(IOptions<HttpOptions> options, IServiceProvider services, ILogger<HttpSurface> logger)
    {
        _options = options.Value;
        _services = services;
        _logger = logger;
    }

    /// <summary>The address it listens on once started (the port filled in when 0 was configured); null when off or failed.</summary>
    public string? Address { get; private set; }

    /// <summary>Starts the server in the background: the agent's start never waits for it, and a stop during it is clean.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            _starting = Task.Run(
                async () =>
                {
                    try
                    {
                        await StartServerAsync(_stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Whatever it is, detection and MQTT go on; the reason is in the log.
                        LogListenFailed(_logger, _options.Url, ex.GetBaseException().Message);
                    }
                },
                CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Completes once the server listens, has failed to, or was never enabled.</summary>
    public Task Started => _starting;

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var credentials = HttpCredentials.Load(_options, Hosting.Secrets.CredentialsDirectory, errors);
        var https = _options.Url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var certificate = https ? HttpTls.Load(_options.Tls, errors) : null;
        if (errors.Count > 0)
        {
            // Checked at start already; a file changed since is reported the same way.
            LogListenFailed(_logger, _options.Url, string.Join("; ", errors));
            certificate?.Dispose();
            return;
        }

        if (certificate is not null && certificate.NotAfter < DateTime.Now)
        {
            LogCertificateExpired(_logger, certificate.NotAfter);
        }

        if (!https && credentials.Required && !HttpOptionsValidator.IsLoopback(new Uri(_options.Url).Host))
        {
            LogCleartextCredentials(_logger);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(HttpSurface).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(_options.Url);
        if (certificate is not null)
        {
            // The slim builder leaves HTTPS out unless asked for.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(tls => tls.ServerCertificate = certificate);
            }
        });
        var services = builder.Services;
        services.ConfigureHttpJsonOptions(json =>
        {
            // snake_case like every MQTT payload, so one client model reads both.
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpJsonContext.Default);
        });
        services.AddProblemDetails();
        services.AddRateLimiter(limiter =>
        {
            // Live streams hold a connection each: one address cannot hold more than StreamsPerClient.
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(LiveApi.StreamsPolicy, context => RateLimitPartition.GetConcurrencyLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                _ => new ConcurrencyLimiterOptions { PermitLimit = _options.StreamsPerClient, QueueLimit = 0 }));
        });

        // Every EdgeVision meter in Prometheus text at /metrics. Meters are process-wide, so this provider sees the
        // pipeline's instruments though they were made outside this server's container.
        double[] milliseconds = [0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 50, 75, 100, 250, 500, 1000, 2500];
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("edgevision"))
            .WithMetrics(metrics => metrics
                .AddMeter("EdgeVision.*")
                // Stage times are often below a millisecond and inference near 10 ms: buckets fit for both.
                .AddView("edgevision.pipeline.stage.duration", new ExplicitBucketHistogramConfiguration { Boundaries = milliseconds })
                .AddView("edgevision.pipeline.inference.duration", new ExplicitBucketHistogramConfiguration { Boundaries = milliseconds })
                .AddView("edgevision.pipeline.frame.latency", new ExplicitBucketHistogramConfiguration { Boundaries = milliseconds })
                .AddView("edgevision.pipeline.batch.size", new ExplicitBucketHistogramConfiguration { Boundaries = [1, 2, 3, 4, 8, 16, 32, 64] })
                .AddPrometheusExporter());

        // The agent's own objects, shared: the web side reads what the MQTT side reads.
        services.AddSingleton(_services.GetRequiredService<CameraStates>());
        services.AddSingleton(_services.GetRequiredService<IPipelineStatistics>());
        services.AddSingleton(_services.GetRequiredService<LatestFrames>());
        services.AddSingleton(_services.GetRequiredService<EventFeed>());
        services.AddSingleton(_services.GetRequiredService<Store.EventStore>());
        services.AddSingleton(_services.GetRequiredService<IOptions<HttpOptions>>());
        // The agent's configuration under a type of its own: the server's own IConfiguration (Kestrel reads it) stays its own.
        services.AddSingleton(new AgentConfiguration(_services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.AddSingleton(_services.GetRequiredService<DetectCommandHandler>());
        services.AddSingleton(_services.GetRequiredService<MqttPublisher>());
        services.AddSingleton(_services.GetRequiredService<IOptions<MqttOptions>>());
        var agentServices = _services;
        services.AddSingleton(new EffectiveConfiguration(() =>
        [
            (Hosting.EdgeVisionOptions.Section, System.Text.Json.JsonSerializer.SerializeToNode(agentServices.GetRequiredService<IOptions<Hosting.EdgeVisionOptions>>().Value, ConfigJsonContext.Default.EdgeVisionOptions)),
            (MqttOptions.SectionName, System.Text.Json.JsonSerializer.SerializeToNode(agentServices.GetRequiredService<IOptions<MqttOptions>>().Value, ConfigJsonContext.Default.MqttOptions)),
            (HttpOptions.SectionName, System.Text.Json.JsonSerializer.SerializeToNode(_options, ConfigJsonContext.Default.HttpOptions)),
            (Store.StoreOptions.SectionName, System.Text.Json.JsonSerializer.SerializeToNode(agentServices.GetRequiredService<IOptions<Store.StoreOptions>>().Value, ConfigJsonContext.Default.StoreOptions)),
        ]));

        var app = builder.Build();
        var authentication = new HttpAuthentication(credentials, _options.AuthFailuresPerMinute, _logger);
        app.Lifetime.ApplicationStopped.Register(authentication.Dispose);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            await next(context).ConfigureAwait(false);
        });
        app.Use(authentication.InvokeAsync);
        app.UseRateLimiter();
        app.UseStatusCodePages();
        app.MapPage();
        app.MapStatusApi();
        app.MapCamerasApi();
        app.MapLiveApi();
        app.MapHistoryApi();
        app.MapConfigApi();
        app.MapPrometheusScrapingEndpoint().WithName("Metrics");

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
        {
            LogListenFailed(_logger, _options.Url, ex.GetBaseException().Message);
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? _options.Url;
        LogListening(_logger, Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _starting.ConfigureAwait(false);
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web surface on {Address} (GET /api/cameras, /api/cameras/<name>/latest.jpg, /api/stats, /metrics, /readyz)")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web surface: its certificate expired on {NotAfter:u}; browsers and clients will refuse it")]
    private static partial void LogCertificateExpired(ILogger logger, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web surface: credentials travel unencrypted over http:// beyond loopback; set Http:Tls and an https:// URL")]
    private static partial void LogCleartextCredentials(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Web surface: cannot listen on {Url}: {Reason}; detection and MQTT go on without it")]
    private static partial void LogListenFailed(ILogger logger, string url, string reason);
}
