using System.Net;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// Checks the <c>Http</c> section: the URL, the credentials and the certificate. An address anyone on the network
/// can reach is refused at start unless requests must carry credentials; an <c>https://</c> URL needs a
/// certificate and key that load.
/// </summary>
internal sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Collect(HttpOptions options) => Collect(options, Hosting.Secrets.CredentialsDirectory);

    public static List<string> Collect(HttpOptions options, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!options.Enabled)
        {
            return errors;
        }

        const string S = HttpOptions.SectionName;
        const string key = S + ":Url";
        var credentials = HttpCredentials.Load(options, credentialsDirectory, errors);
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.PathAndQuery != "/" || !string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add($"{key}: must be http://HOST:PORT or https://HOST:PORT (as http://127.0.0.1:5080), found '{Shown(options.Url)}'");
        }
        else
        {
            if (!IsLoopback(url.Host) && !credentials.Required)
            {
                errors.Add($"{key}: '{url.Host}' is not a loopback address, and no credentials are set: set {S}:Password (or {S}:PasswordFile, or the systemd credential {HttpCredentials.PasswordCredential}) or {S}:Token before listening where others can reach it");
            }

            if (url.Scheme == Uri.UriSchemeHttps)
            {
                HttpTls.Load(options.Tls ?? new HttpTlsOptions(), errors)?.Dispose();
            }
            else if (options.Tls?.IsSet == true)
            {
                errors.Add($"{S}:Tls: a certificate is set but {key} is http://; use https:// to serve it");
            }
        }

        Require(errors, options.AuthFailuresPerMinute is >= 1 and <= 1000, $"{S}:AuthFailuresPerMinute: must be 1 to 1000, found {options.AuthFailuresPerMinute}");
        Require(errors, options.StreamsPerClient is >= 1 and <= 256, $"{S}:StreamsPerClient: must be 1 to 256, found {options.StreamsPerClient}");
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
