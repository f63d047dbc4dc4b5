using System.Net;
using System.Text;

namespace EdgeVision.Tests.Http;

/// <summary>Seeded random requests against the real agent's web surface: never a 500, never a crash, never a secret.</summary>
public sealed class HttpFuzzTests
{
    private const string Password = "fuzz.Pa55word";
    private const string CameraUrl = $"rtsp://viewer:{Password}@127.0.0.1:1/stream";

    private static readonly string[] Routes =
    [
        "/", "/app.js", "/app.css", "/favicon.svg", "/favicon.ico", "/healthz", "/readyz", "/metrics", "/api/stats", "/api/cameras",
        "/api/cameras/{name}/latest.jpg", "/api/cameras/{name}/stream.mjpeg", "/api/cameras/{name}/detect", "/api/objects/{name}/snapshot.jpg",
        "/api/events/stream", "/api/{name}", "/{name}", "/api/config", "/api/events", "/api/counts",
    ];

    private static readonly string[] Pieces =
    [
        "sample", "gate", "", " ", "..", "../..", "%2e%2e", "%00", "%0a", "%ff", "\u00e9", "\U0001F600", "a/b", "con", "null", "-1", "0",
        "99999999999999999999", "1e309", "NaN", "<script>", "'", "\"", "{}", "[]", "%", "%%", "+", "#", "?", "&", "=", new string('a', 5000),
    ];

    private static readonly string[] Keys = ["h", "boxes", "fps", "t", "camera", "limit", "view", ""];

    [Fact]
    public async Task Agent_TwoThousandSeededRequests_NoServerErrorNoSecretAndStillServing()
    {
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync(
            "--EdgeVision:Cameras:1:Name=gate", $"--EdgeVision:Cameras:1:Source={CameraUrl}", $"--Mqtt:Password={Password}", "--Mqtt:Username=fuzz",
            "--Mqtt:Embedded:BindAddress=127.0.0.1");
        using var http = agent.Client;
        http.Timeout = TimeSpan.FromSeconds(10);
        var random = new Random(20261204);
        var statuses = new Dictionary<int, int>();
        for (var round = 0; round < 2000; round++)
        {
            var path = Routes[random.Next(Routes.Length)].Replace("{name}", Escape(Pieces[random.Next(Pieces.Length)], random), StringComparison.Ordinal);
            var query = new StringBuilder();
            for (var i = random.Next(4); i > 0; i--)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(Keys[random.Next(Keys.Length)]).Append('=').Append(Escape(Pieces[random.Next(Pieces.Length)], random));
            }

            var method = random.Next(5) == 0 ? HttpMethod.Post : HttpMethod.Get;
            using var request = new HttpRequestMessage(method, path + query);
            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent(Pieces[random.Next(Pieces.Length)]);
            }

            using var cut = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            HttpResponseMessage response;
            try
            {
                // Streams never end by themselves: their headers are enough here.
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cut.Token);
            }
            catch (HttpRequestException ex) when (ex.Message.Contains("invalid", StringComparison.OrdinalIgnoreCase))
            {
                continue; // The client refused to send a malformed URL; nothing reached the agent.
            }
            catch (TaskCanceledException)
            {
                Assert.Fail($"round {round}: {method} {path}{query} gave no answer in 2 s");
                throw;
            }

            using (response)
            {
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                Assert.True((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable, $"round {round}: {method} {path}{query} answered {(int)response.StatusCode}");
                var type = response.Content.Headers.ContentType?.MediaType ?? string.Empty;
                if (!type.StartsWith("multipart/", StringComparison.Ordinal) && type != "text/event-stream" && type != "image/jpeg")
                {
                    var body = await response.Content.ReadAsStringAsync(cut.Token);
                    Assert.DoesNotContain(Password, body, StringComparison.Ordinal);
                    Assert.DoesNotContain("rtsp://", body, StringComparison.Ordinal);
                    Assert.DoesNotContain(Support.RepositoryPaths.Root, body, StringComparison.Ordinal);
                }
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.False(agent.Process.HasExited);
        Assert.DoesNotContain(Password, agent.Process.Output, StringComparison.Ordinal);
        Assert.True(statuses.Keys.Count >= 4, string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}")));
    }

    private static string Escape(string piece, Random random) => random.Next(3) == 0 ? Uri.EscapeDataString(piece) : piece;
}
