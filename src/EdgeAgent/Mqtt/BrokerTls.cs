using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// TLS to the external broker. The broker's certificate is accepted only when it names the host the agent dialled
/// and its chain ends at the configured CA — that CA alone, not whatever else the system trusts (a private broker's
/// CA is the point of configuring one) — or, with no CA file, at a root of the system store. Nothing here accepts a
/// certificate because validation failed in a way that looked harmless. A rejection is logged once per distinct
/// reason, so a broker presenting the wrong certificate does not flood the log while the connection is retried.
/// </summary>
internal sealed class BrokerTls : IDisposable
{
    // id-kp-serverAuth (RFC 5280 4.2.1.12): the broker's certificate must be meant for a TLS server.
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly MqttTlsOptions _options;
    private readonly string _host;
    private readonly ILogger _logger;
    private readonly X509Certificate2Collection? _authorities;
    private readonly X509Certificate2? _clientCertificate;
    private string? _lastRejection;

    private BrokerTls(MqttTlsOptions options, string host, ILogger logger, X509Certificate2Collection? authorities, X509Certificate2? clientCertificate)
    {
        _options = options;
        _host = host;
        _logger = logger;
        _authorities = authorities;
        _clientCertificate = clientCertificate;
    }

    /// <summary>Reads the CA and client certificate files; a problem becomes one line naming the key (exit 2).</summary>
    public static BrokerTls Load(MqttTlsOptions options, string host, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var authorities = LoadAuthorities(options, errors);
        var client = LoadClientCertificate(options, errors);
        return errors.Count == 0
            ? new BrokerTls(options, host, logger, authorities, client)
            : throw new UserFacingException("invalid configuration: " + string.Join("; ", errors), 2);
    }

    /// <summary>Every problem with the TLS files, one line each naming its key; what the configuration check reports.</summary>
    public static IReadOnlyList<string> Check(MqttTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        DisposeAll(LoadAuthorities(options, errors));
        LoadClientCertificate(options, errors)?.Dispose();
        return errors;
    }

    /// <summary>Turns TLS on in the client options, with this class deciding whether the broker is trusted.</summary>
    public MqttClientOptionsBuilder Apply(MqttClientOptionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithTlsOptions(tls =>
        {
            tls.UseTls()
                .WithTargetHost(_host)
                .WithCertificateValidationHandler(Validate);
            if (_clientCertificate is not null)
            {
                tls.WithClientCertificates([_clientCertificate]);
            }
        });
    }

    public void Dispose()
    {
        DisposeAll(_authorities);
        _clientCertificate?.Dispose();
    }

    /// <summary>Exposed for the tests; MQTTnet calls it for every handshake.</summary>
    internal bool Validate(MqttClientCertificateValidationEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problem = Problem(args.Certificate, args.Chain, args.SslPolicyErrors);
        if (problem is null)
        {
            Volatile.Write(ref _lastRejection, null);
            return true;
        }

        if (Interlocked.Exchange(ref _lastRejection, problem) != problem)
        {
            MqttLog.BrokerCertificateRejected(_logger, _host, problem);
        }

        return false;
    }

    private string? Problem(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the broker presented no certificate";
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                return $"its certificate ({leaf.Subject}) is not issued for {_host}";
            }

            if (_authorities is null)
            {
                // The system store decided; SslStream already built that chain.
                return errors == SslPolicyErrors.None ? null : $"its certificate ({leaf.Subject}) does not chain to a CA this system trusts: {Describe(presented)}";
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);

            // A private CA seldom publishes revocation lists, and a device must not stall on fetching one.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
            if (presented is not null)
            {
                // Intermediates the broker sent; they help build the chain but are never trusted themselves.
                foreach (var element in presented.ChainElements.Skip(1))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return chain.Build(leaf)
                ? null
                : $"its certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to the CA in Mqtt:Tls:CaFile {_options.CaFile}: {Describe(chain)}";
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate))
            {
                leaf.Dispose();
            }
        }
    }

    private static string Describe(X509Chain? chain)
    {
        var statuses = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToArray() ?? [];
        return statuses.Length == 0 ? "no chain" : string.Join(", ", statuses);
    }

    private static X509Certificate2Collection? LoadAuthorities(MqttTlsOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.CaFile))
        {
            return null;
        }

        const string Key = "Mqtt:Tls:CaFile";
        if (options.CaFile.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{Key}: a file name must not contain NUL");
            return null;
        }

        var path = Path.GetFullPath(options.CaFile);
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException or NotSupportedException)
        {
            errors.Add($"{Key}: cannot read {path} as PEM certificates: {FirstLine(ex.Message)}");
            return null;
        }

        if (authorities.Count == 0)
        {
            errors.Add($"{Key}: {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            return null;
        }

        return authorities;
    }

    private static X509Certificate2? LoadClientCertificate(MqttTlsOptions options, List<string> errors)
    {
        var hasCertificate = !string.IsNullOrWhiteSpace(options.ClientCertificateFile);
        var hasKey = !string.IsNullOrWhiteSpace(options.ClientKeyFile);
        if (!hasCertificate && !hasKey)
        {
            return null;
        }

        if (hasCertificate != hasKey)
        {
            errors.Add("Mqtt:Tls:ClientCertificateFile and Mqtt:Tls:ClientKeyFile go together; set both or neither");
            return null;
        }

        if ((options.ClientCertificateFile + options.ClientKeyFile).Contains('\0', StringComparison.Ordinal))
        {
            errors.Add("Mqtt:Tls:ClientCertificateFile/ClientKeyFile: a file name must not contain NUL");
            return null;
        }

        var before = errors.Count;
        var certificatePath = Path.GetFullPath(options.ClientCertificateFile!);
        var keyPath = Path.GetFullPath(options.ClientKeyFile!);
        foreach (var (key, path) in new[] { ("Mqtt:Tls:ClientCertificateFile", certificatePath), ("Mqtt:Tls:ClientKeyFile", keyPath) })
        {
            if (!File.Exists(path))
            {
                errors.Add($"{key}: file not found: {path}");
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // The messages name the files or the PEM label, never key material.
            errors.Add($"Mqtt:Tls:ClientCertificateFile/ClientKeyFile: cannot load {certificatePath} with the key {keyPath}: {FirstLine(ex.Message)}");
            return null;
        }
    }

    private static void DisposeAll(X509Certificate2Collection? certificates)
    {
        foreach (var certificate in certificates ?? [])
        {
            certificate.Dispose();
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
