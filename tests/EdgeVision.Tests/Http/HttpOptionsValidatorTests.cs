using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeVision.EdgeAgent.Http;

namespace EdgeVision.Tests.Http;

public sealed class HttpOptionsValidatorTests : IDisposable
{
    private const string Password = "Pa55-word-for-tests";
    private readonly string _directory = Directory.CreateTempSubdirectory("edgevision-http-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://[::1]:8080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.1.2.3:80")]
    public void Collect_LoopbackHttp_Accepted(string url) =>
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Url = url }, credentialsDirectory: null));

    [Theory]
    [InlineData("http://0.0.0.0:5080", "Http:Url: '0.0.0.0' is not a loopback address, and no credentials are set: set Http:Password")]
    [InlineData("http://192.0.2.7:5080", "Http:Url: '192.0.2.7' is not a loopback address, and no credentials are set")]
    [InlineData("http://camera-box.local:5080", "Http:Url: 'camera-box.local' is not a loopback address, and no credentials are set")]
    [InlineData("ftp://127.0.0.1:5443", "Http:Url: must be http://HOST:PORT or https://HOST:PORT (as http://127.0.0.1:5080), found 'ftp://127.0.0.1:5443'")]
    [InlineData("http://127.0.0.1:5080/edge", "Http:Url: must be http://HOST:PORT or https://HOST:PORT (as http://127.0.0.1:5080), found 'http://127.0.0.1:5080/edge'")]
    [InlineData("5080", "Http:Url: must be http://HOST:PORT or https://HOST:PORT (as http://127.0.0.1:5080), found '5080'")]
    [InlineData("http://admin:secret@127.0.0.1:5080", "Http:Url: must be http://HOST:PORT or https://HOST:PORT (as http://127.0.0.1:5080), found '(not shown: it contains '@')'")]
    [InlineData("https://127.0.0.1:5443", "Http:Tls: both CertificateFile and KeyFile (PEM) are needed for an https:// URL")]
    public void Collect_BadUrl_OneLineNamingTheKey(string url, string expected)
    {
        var error = Assert.Single(HttpOptionsValidator.Collect(new HttpOptions { Url = url }, credentialsDirectory: null));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_BeyondLoopbackWithAPasswordOrAToken_Accepted()
    {
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Url = "http://0.0.0.0:5080", Password = Password }, null));
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Url = "http://0.0.0.0:5080", Token = "0123456789abcdef0123" }, null));
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Url = "http://0.0.0.0:5080", PasswordFile = Write("password", Password + "\n") }, null));
    }

    [Fact]
    public void Collect_PasswordAsSystemdCredential_CountsAsCredentials()
    {
        Write(HttpCredentials.PasswordCredential, Password);

        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Url = "http://0.0.0.0:5080" }, _directory));
    }

    [Fact]
    public void Collect_WeakOrDoubleCredentials_OneLineEachNeverTheSecret()
    {
        var errors = HttpOptionsValidator.Collect(
            new HttpOptions { Url = "http://127.0.0.1:5080", Password = "short", Token = "tiny token", Username = "a:b" }, null);

        Assert.Equal(3, errors.Count);
        Assert.Contains("Http:Password: must be at least 8 characters without control characters", errors);
        Assert.Contains("Http:Token: must be at least 16 visible ASCII characters", errors);
        Assert.Contains("Http:Username: must be 1 to 256 characters without ':' or control characters", errors);
        Assert.DoesNotContain(errors, e => e.Contains("short", StringComparison.Ordinal) || e.Contains("tiny", StringComparison.Ordinal));

        var both = Assert.Single(HttpOptionsValidator.Collect(new HttpOptions { Password = Password, PasswordFile = Write("p", Password) }, null));
        Assert.Equal("Http:Password and Http:PasswordFile are both set; keep one", both);
    }

    [Fact]
    public void Collect_HttpsWithAPemCertificateAndKey_AcceptedAndTheirProblemsNamed()
    {
        var (certificate, key) = WritePem("edge.local", _directory);
        Assert.Empty(HttpOptionsValidator.Collect(Https(certificate, key), null));

        var missing = Path.Combine(_directory, "none.pem");
        Assert.Equal($"Http:Tls:KeyFile: no file at {missing}", Assert.Single(HttpOptionsValidator.Collect(Https(certificate, missing), null)));

        var (_, otherKey) = WritePem("other.local", _directory);
        var mismatch = Assert.Single(HttpOptionsValidator.Collect(Https(certificate, otherKey), null));
        Assert.StartsWith($"Http:Tls: cannot load the certificate {certificate} with the key {otherKey}: ", mismatch, StringComparison.Ordinal);

        var notPem = Write("garbage.pem", "not a certificate");
        Assert.StartsWith("Http:Tls: cannot load the certificate", Assert.Single(HttpOptionsValidator.Collect(Https(notPem, key), null)), StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(key).Split('\n')[1], mismatch, StringComparison.Ordinal);

        var plain = Assert.Single(HttpOptionsValidator.Collect(new HttpOptions { Tls = new HttpTlsOptions { CertificateFile = certificate, KeyFile = key } }, null));
        Assert.Equal("Http:Tls: a certificate is set but Http:Url is http://; use https:// to serve it", plain);
    }

    [Fact]
    public void Collect_Disabled_UrlNotChecked() =>
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Enabled = false, Url = "http://0.0.0.0:1" }, null));

    [Theory]
    [InlineData("Basic ZWRnZXZpc2lvbjpQYTU1LXdvcmQtZm9yLXRlc3Rz", true)] // edgevision:Pa55-word-for-tests
    [InlineData("basic ZWRnZXZpc2lvbjpQYTU1LXdvcmQtZm9yLXRlc3Rz", true)]
    [InlineData("Basic ZWRnZXZpc2lvbjpQYTU1LXdvcmQtZm9yLXRlc3R6", false)] // one letter off
    [InlineData("Basic YWRtaW46UGE1NS13b3JkLWZvci10ZXN0cw==", false)] // admin:Pa55-word-for-tests
    [InlineData("Basic !!!notbase64", false)]
    [InlineData("Bearer 0123456789abcdef0123", true)]
    [InlineData("Bearer 0123456789abcdef012", false)]
    [InlineData("Digest 0123456789abcdef0123", false)]
    [InlineData("", false)]
    public void Accepts_OnlyTheConfiguredBasicPairOrBearerToken(string header, bool accepted)
    {
        var errors = new List<string>();
        var credentials = HttpCredentials.Load(new HttpOptions { Password = Password, Token = "0123456789abcdef0123" }, null, errors);

        Assert.Empty(errors);
        Assert.Equal(accepted, credentials.Accepts(header));
    }

    private static HttpOptions Https(string certificate, string key) =>
        new() { Url = "https://127.0.0.1:5443", Tls = new HttpTlsOptions { CertificateFile = certificate, KeyFile = key } };

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A self-signed certificate for <paramref name="host"/> and its key, as the PEM files an operator would have.</summary>
    internal static (string Certificate, string Key) WritePem(string host, string? directory = null)
    {
        directory ??= Directory.CreateTempSubdirectory("edgevision-pem-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Path.Combine(directory, host + ".crt");
        var keyPath = Path.Combine(directory, host + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
