using System.Net;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// Checks the <c>Http</c> section. The web surface has no credentials yet, so it listens on loopback only: an
/// address anyone on the network can reach is refused at start rather than served without a password.
/// </summary>
public sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Collect(HttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!options.Enabled)
        {
            return errors;
        }

        const string key = HttpOptions.SectionName + ":Url";
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || url.PathAndQuery != "/" || !string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add($"{key}: must be http://HOST:PORT with a loopback host (as http://127.0.0.1:5080), found '{Shown(options.Url)}'");
        }
        else if (!IsLoopback(url.Host))
        {
            errors.Add($"{key}: '{url.Host}' is not a loopback address; the web surface has no credentials yet, so it listens on 127.0.0.1, [::1] or localhost only (put a reverse proxy with authentication in front to reach it from elsewhere)");
        }

        Require(errors, options.LiveMaxFps is >= 1 and <= 30, $"{HttpOptions.SectionName}:LiveMaxFps: must be 1 to 30, found {options.LiveMaxFps}");
        Require(errors, options.LiveMaxClients is >= 1 and <= 64, $"{HttpOptions.SectionName}:LiveMaxClients: must be 1 to 64, found {options.LiveMaxClients}");
        Require(errors, options.EventViewers is >= 1 and <= 256, $"{HttpOptions.SectionName}:EventViewers: must be 1 to 256, found {options.EventViewers}");
        return errors;
    }

    private static void Require(List<string> errors, bool condition, string message)
    {
        if (!condition)
        {
            errors.Add(message);
        }
    }

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    // A URL may carry user:password@; it is not repeated.
    private static string Shown(string? url) => url is null ? string.Empty : url.Contains('@', StringComparison.Ordinal) ? "(not shown: it contains '@')" : url;
}
