using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>The certificate an <c>https://</c> web surface serves, from the PEM files <c>Http:Tls</c> names.</summary>
internal static class HttpTls
{
    /// <summary>The certificate with its key, or null with the reason added to <paramref name="errors"/> (naming the key and the file, never the key's content).</summary>
    public static X509Certificate2? Load(HttpTlsOptions options, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        const string S = HttpOptions.SectionName + ":Tls";
        if (string.IsNullOrWhiteSpace(options.CertificateFile) || string.IsNullOrWhiteSpace(options.KeyFile))
        {
            errors.Add($"{S}: both CertificateFile and KeyFile (PEM) are needed for an https:// URL");
            return null;
        }

        var certificate = Path.GetFullPath(options.CertificateFile);
        var key = Path.GetFullPath(options.KeyFile);
        foreach (var (name, path) in new[] { ("CertificateFile", certificate), ("KeyFile", key) })
        {
            if (!File.Exists(path))
            {
                errors.Add($"{S}:{name}: no file at {path}");
                return null;
            }
        }

        try
        {
            var loaded = X509Certificate2.CreateFromPemFile(certificate, key);
            if (!loaded.HasPrivateKey)
            {
                loaded.Dispose();
                errors.Add($"{S}: the key in {key} does not belong to the certificate in {certificate}");
                return null;
            }

            return loaded;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The runtime's messages name no key material: "The key contents do not contain a PEM", "... do not match".
            errors.Add($"{S}: cannot load the certificate {certificate} with the key {key}: {ex.Message}");
            return null;
        }
    }
}
