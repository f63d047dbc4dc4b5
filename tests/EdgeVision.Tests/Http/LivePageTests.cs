using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace EdgeVision.Tests.Http;

/// <summary>The live page in a real browser: Debian's Chromium, headless, against the real agent on the bundled clip.</summary>
public sealed class LivePageTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Page_InHeadlessChromium_ShowsTheCameraOnlineWithItsImageAndWhatIsInViewWithoutConsoleErrors()
    {
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync();
        using var http = agent.Client;
        await HttpSurfaceTests.Eventually(async () => (await http.GetAsync("/api/cameras/sample/latest.jpg")).StatusCode == HttpStatusCode.OK, "no processed frame");

        var (dom, log) = await RunChromiumAsync("--dump-dom", http.BaseAddress!.ToString());

        var tile = Regex.Match(dom, "<article class=\"camera\" data-camera=\"sample\">(.*?)</article>", RegexOptions.Singleline);
        Assert.True(tile.Success, dom);
        Assert.Contains("<span class=\"badge online\">online</span>", tile.Value, StringComparison.Ordinal);
        Assert.Matches("<img alt=\"latest image of camera sample\" src=\"/api/cameras/sample/latest\\.jpg\\?t=[^\"]+\"", tile.Value);
        Assert.Matches("In view: [^<]*person", tile.Value);
        Assert.Contains("aria-pressed=\"true\"", tile.Value, StringComparison.Ordinal);
        Assert.Contains("1 of 1 camera online", dom, StringComparison.Ordinal);

        // Script errors, failed loads and content-security-policy refusals all reach the browser's console.
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal) || l.Contains("Refused to", StringComparison.Ordinal)).ToArray();
        Assert.True(console.Length == 0, string.Join('\n', console));
    }

    [Fact]
    public async Task Page_Assets_ServedFromTheAgentWithTheirTypesAndTheSecurityPolicy()
    {
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync();
        using var http = agent.Client;

        foreach (var (path, type) in new[] { ("/", "text/html"), ("/app.js", "text/javascript"), ("/app.css", "text/css") })
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("default-src 'self'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("http://", body.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", body, StringComparison.Ordinal);
        }
    }

    private static async Task<(string Output, string Log)> RunChromiumAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing; scripts/test.sh installs Debian's chromium");
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=6000", $"--user-data-dir={Path.Combine(Path.GetTempPath(), "edgevision-chromium-" + Guid.NewGuid().ToString("N"))}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var log = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium took over 90 s");
        }

        return (await output, await log);
    }
}
