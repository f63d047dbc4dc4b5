using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// The gate in front of every route when the web surface has credentials: a request without them gets 401 with a
/// Basic challenge (so a browser asks once and then sends them with the page's images and streams); liveness
/// (<c>/healthz</c>, which says nothing but "ok") stays open for probes. Wrong credentials are counted per client address
/// with the framework's rate limiter: past <see cref="HttpOptions.AuthFailuresPerMinute"/> that address gets 429,
/// right credentials or not, until its minute is over, so guessing a password costs time. Each refused address is
/// logged once per window, by address only.
/// </summary>
internal sealed partial class HttpAuthentication : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly HttpCredentials _credentials;
    private readonly PartitionedRateLimiter<IPAddress> _failures;
    private readonly ILogger _logger;
    private readonly string _challenge;

    public HttpAuthentication(HttpCredentials credentials, int failuresPerMinute, ILogger logger)
    {
        _credentials = credentials;
        _logger = logger;
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(
            address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = failuresPerMinute, Window = Window, QueueLimit = 0, AutoReplenishment = true }));
        _challenge = credentials.HasPassword ? "Basic realm=\"EdgeVision\", charset=\"UTF-8\"" : "Bearer realm=\"EdgeVision\"";
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_credentials.Required || context.Request.Path.Equals("/healthz", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        // A permit of 0 asks whether the address still has failures left without spending one.
        using (var left = _failures.AttemptAcquire(address, 0))
        {
            if (!left.IsAcquired)
            {
                await Refuse(context, StatusCodes.Status429TooManyRequests, "too many failed authentications from this address; try again in a minute").ConfigureAwait(false);
                return;
            }
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (_credentials.Accepts(authorization))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // A request without any credentials is how a browser learns that it must ask for them: not a guess.
        if (authorization.Length > 0)
        {
            Count(address);
        }

        context.Response.Headers.WWWAuthenticate = _challenge;
        await Refuse(context, StatusCodes.Status401Unauthorized, "credentials are required (HTTP Basic or a bearer token)").ConfigureAwait(false);
    }

    private void Count(IPAddress address)
    {
        using var failure = _failures.AttemptAcquire(address);
        using var left = _failures.AttemptAcquire(address, 0);
        if (failure.IsAcquired && !left.IsAcquired)
        {
            // That was the last one this window allows: said once, when the refusals begin.
            LogLockedOut(_logger, address.ToString());
        }
    }

    private static Task Refuse(HttpContext context, int status, string detail)
    {
        if (status == StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var title = status == StatusCodes.Status401Unauthorized ? "unauthorized" : "too many requests";
        return TypedResults.Problem(Problems.Of(status, title, detail, "Authorization")).ExecuteAsync(context);
    }

    public void Dispose() => _failures.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web surface: {Address} failed to authenticate too often; refused for up to a minute")]
    private static partial void LogLockedOut(ILogger logger, string address);
}
