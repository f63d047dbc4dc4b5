using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeVision.Tests.Http;

/// <summary>
/// The web surface beyond loopback, as an operator would put it on a network: HTTPS from PEM files, a password and a
/// bearer token, against the real agent on the bundled clip.
/// </summary>
public sealed partial class HttpSecurityTests : IDisposable
{
    private const string Password = "w3b-Pa55word!";
    private const string Token = "tok-0123456789abcdefghij";
    private const string CameraUrl = $"rtsp://viewer:{Password}@127.0.0.1:1/stream";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("edgevision-http-security-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex(@"Web surface on https://0\.0\.0\.0:(\d+)")]
    private static partial Regex Port();

    [Fact]
    public async Task Agent_HttpsBeyondLoopbackWithCredentials_401Without403CrossSite429OnStreamsAndGuessingNoSecretServed()
    {
        var (certificatePath, keyPath) = HttpOptionsValidatorTests.WritePem("edge.local", _directory);
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var tokenFile = Path.Combine(_directory, "token");
        File.WriteAllText(tokenFile, Token + "\n");
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync(
            "--Http:Url=https://0.0.0.0:0", $"--Http:Password={Password}", $"--Http:TokenFile={tokenFile}",
            $"--Http:Tls:CertificateFile={certificatePath}", $"--Http:Tls:KeyFile={keyPath}",
            "--Http:AuthFailuresPerMinute=4", "--Http:StreamsPerClient=2",
            "--EdgeVision:Cameras:1:Name=gate", $"--EdgeVision:Cameras:1:Source={CameraUrl}");
        Assert.True(agent.Process.WaitForOutput("Web surface on https://0.0.0.0:", Bound), agent.Process.Output);
        var port = Port().Match(agent.Process.Output).Groups[1].Value;

        // The client trusts exactly the certificate the agent was given, and checks that it is the one served.
        var served = new List<string>();
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                served.Add(presented!.Thumbprint);
                return presented.Thumbprint == certificate.Thumbprint;
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("edgevision:" + Password)));
        var bearer = new AuthenticationHeaderValue("Bearer", Token);

        // Liveness answers anyone; everything else wants credentials and says how.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(certificate.Thumbprint, Assert.Single(served.Distinct()));
        foreach (var route in new[] { "/", "/api/cameras", "/api/config", "/metrics", "/readyz", "/api/cameras/sample/latest.jpg", "/api/events/stream" })
        {
            using var anonymous = await http.GetAsync(route, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic realm=\"EdgeVision\", charset=\"UTF-8\"", anonymous.Headers.WwwAuthenticate.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, (await Send(http, HttpMethod.Get, "/api/cameras", basic)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(http, HttpMethod.Get, "/api/cameras", bearer)).StatusCode);

        // A state change with credentials still needs to come from this site.
        using (var crossSite = await Send(http, HttpMethod.Post, "/api/cameras/sample/detect", basic, "ON", origin: "https://attacker.example"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        }

        using (var sameSite = await Send(http, HttpMethod.Post, "/api/cameras/sample/detect", basic, "ON", origin: $"https://127.0.0.1:{port}"))
        {
            Assert.Equal(HttpStatusCode.OK, sameSite.StatusCode);
        }

        // Two open streams from one address are allowed; a third is refused until one closes.
        using (var first = await Send(http, HttpMethod.Get, "/api/events/stream", bearer))
        using (var second = await Send(http, HttpMethod.Get, "/api/cameras/sample/stream.mjpeg", bearer))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            using var third = await Send(http, HttpMethod.Get, "/api/events/stream", bearer);
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        }

        await HttpSurfaceTests.Eventually(
            async () =>
            {
                using var again = await Send(http, HttpMethod.Get, "/api/events/stream", bearer);
                return again.StatusCode == HttpStatusCode.OK;
            },
            "a stream slot was not given back when its viewer left");

        // What an authenticated viewer can read carries no password, token, camera URL or path.
        foreach (var route in new[] { "/", "/app.js", "/api/cameras", "/api/config", "/api/stats", "/metrics", "/readyz", "/api/events", "/api/counts?camera=sample", "/api/cameras/nope/latest.jpg" })
        {
            using var response = await Send(http, HttpMethod.Get, route, basic);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable, $"{route}: {(int)response.StatusCode}");
            foreach (var secret in new[] { Password, Token, "rtsp://", _directory, keyPath })
            {
                Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            }
        }

        // Guessing: four wrong answers are 401, then the address is refused even with the right ones.
        var wrong = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("edgevision:guess")));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Get, "/api/cameras", wrong)).StatusCode);
        }

        using (var locked = await Send(http, HttpMethod.Get, "/api/cameras", wrong))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.Equal("60", locked.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(http, HttpMethod.Get, "/api/cameras", basic)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.True(agent.Process.WaitForOutput("failed to authenticate too often", Bound), agent.Process.Output);

        var log = agent.Process.Output;
        Assert.DoesNotContain(Password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, log, StringComparison.Ordinal);
    }

    [Fact]
    public void Agent_BeyondLoopbackWithoutCredentials_ExitsTwoNamingTheKeys()
    {
        using var agent = Support.AgentProcess.Start("run", "--Http:Url=http://0.0.0.0:5080");

        Assert.Equal(2, agent.WaitForExit(Bound));
        Assert.Contains("Http:Url: '0.0.0.0' is not a loopback address, and no credentials are set: set Http:Password", agent.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string route, AuthenticationHeaderValue credentials, string? body = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(method, route);
        request.Headers.Authorization = credentials;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
