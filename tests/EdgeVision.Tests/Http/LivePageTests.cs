using System.Net;
using EdgeVision.Tests.Mqtt;
using Microsoft.Playwright;

namespace EdgeVision.Tests.Http;

/// <summary>
/// The live page in a real browser: Debian's Chromium, headless, driven by Playwright (its own browser builds are
/// never downloaded: <see cref="BrowserTypeLaunchOptions.ExecutablePath"/> points at /usr/bin/chromium), against the
/// real agent on the bundled clip with its embedded broker.
/// </summary>
public sealed class LivePageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Page_InChromium_ImageChangesBoxesEventsAndTheSwitchWorksWithoutConsoleErrors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing; scripts/test.sh installs Debian's chromium");
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(agent.MqttPort, $"edgevision/{agent.Device}/sample/detect/state");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 800 } });
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"HTTP {response.Status}: {response.Url}");
            }
        };
        page.RequestFailed += (_, request) =>
        {
            // The event feed's connection is cut when the page closes; anything else failing is a fault.
            if (!request.Url.EndsWith("/api/events/stream", StringComparison.Ordinal))
            {
                problems.Add($"request failed: {request.Url} {request.Failure}");
            }
        };

        await page.GotoAsync(agent.Client.BaseAddress!.ToString());
        var tile = page.Locator("article.camera[data-camera='sample']");
        await Assertions.Expect(tile.Locator(".badge")).ToHaveTextAsync("online", new() { Timeout = 30_000 });
        await Assertions.Expect(tile.Locator(".in-view")).ToContainTextAsync("person", new() { Timeout = 30_000 });

        // The image is a processed frame that loaded, and it changes within 2 s (the clip plays at 10 fps).
        var image = tile.Locator("img");
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await image.ElementHandleAsync(), new() { Timeout = 30_000 });
        var first = await image.GetAttributeAsync("src");
        await page.WaitForFunctionAsync(
            "([img, first]) => img.getAttribute('src') !== first && img.complete && img.naturalWidth === 640",
            new object[] { (await image.ElementHandleAsync())!, first! },
            new() { Timeout = 2_000 });

        // The events feed shows an arrival with its snapshot loaded.
        var snapshot = page.Locator("#events li.event img").First;
        await Assertions.Expect(snapshot).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await snapshot.ElementHandleAsync(), new() { Timeout = 10_000 });

        // The count chart has points from the store.
        await Assertions.Expect(tile.Locator(".chart circle")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(tile.Locator(".chart figcaption")).ToContainTextAsync("at most", new() { Timeout = 10_000 });

        // The switch pauses detection: the page and MQTT detect/state say so; then it resumes.
        var toggle = tile.Locator("button.detect");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false", new() { Timeout = 10_000 });
        await subscriber.WaitForAsync($"edgevision/{agent.Device}/sample/detect/state", "OFF").WaitAsync(Bound);
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = 10_000 });
        await subscriber.WaitForAsync(m => m.Payload == "ON" && subscriber.Messages.Any(x => x.Payload == "OFF")).WaitAsync(Bound);

        Assert.True(problems.Count == 0, string.Join('\n', problems));

        // The README's picture of the page is taken here: EDGEVISION_PAGE_SCREENSHOT=docs/live-page.jpg.
        if (Environment.GetEnvironmentVariable("EDGEVISION_PAGE_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await page.WaitForTimeoutAsync(20_000);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.GetFullPath(screenshot, Support.RepositoryPaths.Root), FullPage = true });
        }
    }

    [Fact]
    public async Task Page_InChromiumWithAPassword_ChallengedThenImageEventsAndSwitchWorkWithTheBrowsersCredentials()
    {
        const string Password = "page-Pa55word";
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing; scripts/test.sh installs Debian's chromium");
        await using var agent = await HttpSurfaceTests.RunningAgent.StartAsync($"--Http:Password={Password}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });

        // Without credentials the page is a Basic challenge (a browser without a user to ask gives up on it).
        using (var refused = await agent.Client.GetAsync("/"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
        }

        // With them (what a user types into the prompt), the page's images, event stream and switch all work.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { HttpCredentials = new HttpCredentials { Username = "edgevision", Password = Password } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"HTTP {response.Status}: {response.Url}");
            }
        };

        await page.GotoAsync(agent.Client.BaseAddress!.ToString());
        var tile = page.Locator("article.camera[data-camera='sample']");
        await Assertions.Expect(tile.Locator(".badge")).ToHaveTextAsync("online", new() { Timeout = 30_000 });
        var image = tile.Locator("img");
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth === 640", await image.ElementHandleAsync(), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#events li.event img").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var toggle = tile.Locator("button.detect");
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false", new() { Timeout = 10_000 });

        Assert.True(problems.Count == 0, string.Join('\n', problems));
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
            // The SVG namespace is a name, not an address; nothing else may point off the agent.
            Assert.DoesNotContain("http://", body.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", body, StringComparison.Ordinal);
        }
    }
}
