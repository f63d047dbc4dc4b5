using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.Http;

/// <summary>The web surface of the real agent on the bundled clip, with its embedded broker, over real HTTP.</summary>
public sealed partial class HttpSurfaceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"Web surface on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    [Fact]
    public async Task Agent_OnTheClip_ServesCamerasLatestImageStatsAndHealth()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var http = agent.Client;

        // Until the camera has delivered, readiness says why; then everything is ready.
        await Eventually(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "readyz never became 200");
        Assert.Equal("{\"status\":\"ok\",\"reasons\":[]}", await http.GetStringAsync("/healthz"));
        await Eventually(async () => (await http.GetAsync("/api/cameras/sample/latest.jpg")).StatusCode == HttpStatusCode.OK, "no latest image");

        // Counters come from the statistics snapshot the stats topic shares, at most a second old.
        await Eventually(async () => JsonDocument.Parse(await http.GetStringAsync("/api/cameras")).RootElement[0].GetProperty("captured").GetInt64() > 0, "no frame counted");
        using var cameras = JsonDocument.Parse(await http.GetStringAsync("/api/cameras"));
        var sample = Assert.Single(cameras.RootElement.EnumerateArray());
        Assert.Equal("sample", sample.GetProperty("name").GetString());
        Assert.Equal("online", sample.GetProperty("status").GetString());
        Assert.True(sample.GetProperty("detecting").GetBoolean());
        Assert.True(sample.GetProperty("captured").GetInt64() > 0);
        Assert.False(sample.TryGetProperty("source", out _), "a camera's source must never be served");

        var withBoxes = await http.GetAsync("/api/cameras/sample/latest.jpg");
        Assert.Equal(HttpStatusCode.OK, withBoxes.StatusCode);
        Assert.Equal("image/jpeg", withBoxes.Content.Headers.ContentType!.MediaType);
        using (var image = Cv2.ImDecode(await withBoxes.Content.ReadAsByteArrayAsync(), ImreadModes.Color))
        {
            Assert.Equal((640, 480), (image.Width, image.Height));
        }

        using (var small = Cv2.ImDecode(await http.GetByteArrayAsync("/api/cameras/sample/latest.jpg?h=240&boxes=0"), ImreadModes.Color))
        {
            Assert.Equal((320, 240), (small.Width, small.Height));
        }

        using var stats = JsonDocument.Parse(await http.GetStringAsync("/api/stats"));
        Assert.Equal("edgevision.stats", stats.RootElement.GetProperty("schema").GetString());
        Assert.Equal("sample", stats.RootElement.GetProperty("cameras")[0].GetProperty("name").GetString());
        Assert.True(stats.RootElement.GetProperty("store").GetProperty("available").GetBoolean());
        await Eventually(
            async () => JsonDocument.Parse(await http.GetStringAsync("/api/stats")).RootElement.GetProperty("store").GetProperty("counts_written").GetInt64() > 0,
            "the store wrote no count");

        Assert.Equal("nosniff", withBoxes.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'self'; frame-ancestors 'none'", withBoxes.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Agent_Metrics_PrometheusTextWithCameraCountersAndStageHistogramsThatMove()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var http = agent.Client;
        await Eventually(async () => (await http.GetAsync("/api/cameras/sample/latest.jpg")).StatusCode == HttpStatusCode.OK, "no processed frame");

        var response = await http.GetAsync("/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var first = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = PrometheusText.Parse(await http.GetStringAsync("/metrics"));

        // The names this exporter (a prerelease, pinned) gives the pipeline's instruments: a change shows here.
        Assert.Equal(
            [
                "edgevision_pipeline_batch_size", "edgevision_pipeline_camera_connected", "edgevision_pipeline_camera_fps_per_second",
                "edgevision_pipeline_camera_reconnects_total", "edgevision_pipeline_detections_filtered_total", "edgevision_pipeline_execution_provider",
                "edgevision_pipeline_frame_latency_milliseconds",
                "edgevision_pipeline_frames_captured_total", "edgevision_pipeline_frames_corrupt_total", "edgevision_pipeline_frames_detected_total",
                "edgevision_pipeline_frames_dropped_total", "edgevision_pipeline_frames_failed_total", "edgevision_pipeline_frames_motion_skipped_total",
                "edgevision_pipeline_frames_processed_total", "edgevision_pipeline_frames_skipped_total", "edgevision_pipeline_inference_duration_milliseconds",
                "edgevision_pipeline_queue_depth", "edgevision_pipeline_regions_total", "edgevision_pipeline_stage_duration_milliseconds",
            ],
            second.Keys.Where(k => k.StartsWith("edgevision_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal("counter", second["edgevision_pipeline_frames_captured_total"].Type);
        Assert.Equal("histogram", second["edgevision_pipeline_stage_duration_milliseconds"].Type);

        double Captured(Dictionary<string, PrometheusText.Family> scrape) =>
            scrape["edgevision_pipeline_frames_captured_total"].Samples.Single(s => s.Labels["camera"] == "sample").Value;
        Assert.True(Captured(second) > Captured(first), $"captured did not move: {Captured(first)} then {Captured(second)}");
        foreach (var counter in (string[])["edgevision_pipeline_frames_processed_total", "edgevision_pipeline_frames_dropped_total"])
        {
            Assert.Contains(second[counter].Samples, s => s.Labels.GetValueOrDefault("camera") == "sample");
        }

        var stages = second["edgevision_pipeline_stage_duration_milliseconds"].Samples.Select(s => s.Labels["stage"]).ToHashSet();
        Assert.Superset(new HashSet<string> { "motion", "preprocess", "tensor", "decode", "analytics", "publish" }, stages);
    }

    [Fact]
    public async Task Agent_MjpegStream_FramesWithBoxesAtMostTheFpsAskedAndViewersCapped()
    {
        await using var agent = await RunningAgent.StartAsync("--Http:Url=http://127.0.0.1:0", "--Http:LiveMaxClients=1");
        Assert.True(agent.Process.WaitForOutput("Web surface on ", Bound), agent.Process.Output);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(agent.Process.Output).Groups[1].Value), Timeout = Bound };
        await Eventually(async () => (await http.GetAsync("/api/cameras/sample/latest.jpg")).StatusCode == HttpStatusCode.OK, "no processed frame");

        using var response = await http.GetAsync("/api/cameras/sample/stream.mjpeg?fps=2&h=240", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("multipart/x-mixed-replace; boundary=frame", response.Content.Headers.ContentType!.ToString());

        // A second viewer of the same camera is one too many here.
        var second = await http.GetAsync("/api/cameras/sample/stream.mjpeg", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);

        await using var stream = await response.Content.ReadAsStreamAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var part = 0; part < 3; part++)
        {
            var jpeg = await ReadPartAsync(stream);
            using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.Equal((320, 240), (image.Width, image.Height));
        }

        // Three parts at 2 fps: the first at once, then one each half second at the soonest.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"three parts came in {clock.Elapsed}");
        await AssertProblem(await http.GetAsync("/api/cameras/sample/stream.mjpeg?fps=50"), HttpStatusCode.BadRequest, "fps");
    }

    [Fact]
    public async Task Agent_EventFeed_ServerSentEventsInTheMqttEventJsonWithTheirSnapshots()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var http = agent.Client;
        using var response = await http.GetAsync("/api/events/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        JsonDocument? first = null;
        using var limit = new CancellationTokenSource(Bound);
        while (first is null)
        {
            var line = await reader.ReadLineAsync(limit.Token) ?? throw new EndOfStreamException("the feed ended");
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Length > "data: ".Length)
            {
                var json = JsonDocument.Parse(line["data: ".Length..]);
                if (json.RootElement.GetProperty("type").GetString() == "new")
                {
                    first = json;
                }
            }
        }

        using (first)
        {
            Assert.Equal("edgevision.event", first.RootElement.GetProperty("schema").GetString());
            Assert.Equal(agent.Device, first.RootElement.GetProperty("device").GetString());
            Assert.Equal("sample", first.RootElement.GetProperty("camera").GetString());
            var objectId = first.RootElement.GetProperty("object_id").GetString()!;
            var snapshot = await http.GetAsync($"/api/objects/{Uri.EscapeDataString(objectId)}/snapshot.jpg");
            Assert.Equal(HttpStatusCode.OK, snapshot.StatusCode);
            Assert.Equal("image/jpeg", snapshot.Content.Headers.ContentType!.MediaType);
            using var image = Cv2.ImDecode(await snapshot.Content.ReadAsByteArrayAsync(), ImreadModes.Color);
            Assert.False(image.Empty());
        }

        await AssertProblem(await http.GetAsync("/api/objects/nothing-like-this/snapshot.jpg"), HttpStatusCode.NotFound, "objectId");
    }

    /// <summary>One part of a multipart/x-mixed-replace stream: its headers, then Content-Length bytes.</summary>
    private static async Task<byte[]> ReadPartAsync(Stream stream)
    {
        var length = -1;
        while (true)
        {
            var line = await ReadLineAsync(stream);
            if (line.StartsWith("Content-Length: ", StringComparison.Ordinal))
            {
                length = int.Parse(line["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.Length == 0 && length >= 0)
            {
                break;
            }
        }

        var jpeg = new byte[length];
        await stream.ReadExactlyAsync(jpeg);
        Assert.Equal(string.Empty, await ReadLineAsync(stream));
        return jpeg;
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one);
            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString([.. bytes]).TrimEnd('\r');
            }

            bytes.Add(one[0]);
        }
    }

    [Fact]
    public void PrometheusText_MalformedOrInconsistent_ThrowsNamingTheLine()
    {
        const string good = "# TYPE a_total counter\na_total{camera=\"x \\\"y\\\"\"} 3\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2\n";
        var parsed = PrometheusText.Parse(good);
        Assert.Equal("x \"y\"", parsed["a_total"].Samples[0].Labels["camera"]);

        Assert.StartsWith("line 2:", Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE a counter\na{camera=x} 1\n")).Message, StringComparison.Ordinal);
        Assert.StartsWith("line 1:", Assert.Throws<FormatException>(() => PrometheusText.Parse("b 1\n")).Message, StringComparison.Ordinal);
        Assert.Contains("_count 3 differs", Assert.Throws<FormatException>(() => PrometheusText.Parse(good.Replace("h_count 2", "h_count 3", StringComparison.Ordinal))).Message, StringComparison.Ordinal);
        Assert.Contains("falling", Assert.Throws<FormatException>(() => PrometheusText.Parse(good.Replace("h_bucket{le=\"+Inf\"} 2", "h_bucket{le=\"+Inf\"} 0", StringComparison.Ordinal))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_LatestImage_BoxesDrawnOnTheFrameTheyWereFoundOn()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var http = agent.Client;
        await Eventually(async () => (await http.GetAsync("/api/cameras/sample/latest.jpg")).StatusCode == HttpStatusCode.OK, "no latest image");

        // The same frame with and without boxes: ask for both until they come from one frame (the camera moves on at 10 fps).
        for (var attempt = 0; ; attempt++)
        {
            var before = await http.GetStringAsync("/api/cameras");
            var plain = await http.GetByteArrayAsync("/api/cameras/sample/latest.jpg?boxes=0");
            var boxed = await http.GetByteArrayAsync("/api/cameras/sample/latest.jpg?boxes=1");
            var after = await http.GetStringAsync("/api/cameras");
            if (LastFrameAt(before) != LastFrameAt(after) && attempt < 50)
            {
                continue;
            }

            using var a = Cv2.ImDecode(plain, ImreadModes.Color);
            using var b = Cv2.ImDecode(boxed, ImreadModes.Color);
            using var difference = new Mat();
            Cv2.Absdiff(a, b, difference);
            using var grey = difference.CvtColor(ColorConversionCodes.BGR2GRAY);
            var changed = Cv2.CountNonZero(grey.Threshold(40, 255, ThresholdTypes.Binary));

            // The clip always has people in view: their outlines and labels change thousands of pixels, and only those.
            Assert.InRange(changed, 2000, 640 * 480 / 4);
            break;
        }
    }

    [Fact]
    public async Task Agent_LatestImageWithBoxes_ZoneOutlineAndLineDrawnWhereConfigured()
    {
        await using var agent = await RunningAgent.StartAsync(
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Name=path",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:0=0.2", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:1=0.45",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:1:0=0.8", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:1:1=0.45",
            "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:2:0=0.8", "--EdgeVision:Cameras:0:Analytics:Zones:0:Points:2:1=0.9",
            "--EdgeVision:Cameras:0:Analytics:Lines:0:Name=gate", "--EdgeVision:Cameras:0:Analytics:Lines:0:A:0=0.1", "--EdgeVision:Cameras:0:Analytics:Lines:0:A:1=0.1",
            "--EdgeVision:Cameras:0:Analytics:Lines:0:B:0=0.1", "--EdgeVision:Cameras:0:Analytics:Lines:0:B:1=0.9");
        using var http = agent.Client;
        await Eventually(async () => (await http.GetAsync("/api/cameras/sample/latest.jpg")).StatusCode == HttpStatusCode.OK, "no latest image");

        using var plain = Cv2.ImDecode(await http.GetByteArrayAsync("/api/cameras/sample/latest.jpg?boxes=0"), ImreadModes.Color);
        using var drawn = Cv2.ImDecode(await http.GetByteArrayAsync("/api/cameras/sample/latest.jpg"), ImreadModes.Color);

        // The zone's top edge at y = 0.45 × 480 = 216 from x = 128 to 512, in the zone colour (BGR 255, 200, 0); the
        // line at x = 0.1 × 640 = 64 from y = 48 to 432, in the line colour (BGR 0, 200, 255). A box drawn over the
        // edge may hide a few of the samples, so most, not all, must show it; without boxes, almost none.
        int[] along = [.. Enumerable.Range(0, 17).Select(i => 150 + (i * 20))];
        int[] down = [.. Enumerable.Range(0, 17).Select(i => 70 + (i * 20))];
        Assert.True(along.Count(x => Near(drawn.At<Vec3b>(216, x), 255, 200, 0)) >= 13, "the zone's edge is not drawn");
        Assert.True(down.Count(y => Near(drawn.At<Vec3b>(y, 64), 0, 200, 255)) >= 13, "the line is not drawn");
        Assert.True(along.Count(x => Near(plain.At<Vec3b>(216, x), 255, 200, 0)) <= 2, "the plain image has the zone colour along the edge");
    }

    private static bool Near(Vec3b pixel, int b, int g, int r) =>
        Math.Abs(pixel.Item0 - b) < 70 && Math.Abs(pixel.Item1 - g) < 70 && Math.Abs(pixel.Item2 - r) < 70;

    [Fact]
    public async Task Agent_BadRequests_ProblemDetailsNamingTheParameterNever500()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var http = agent.Client;

        await AssertProblem(await http.GetAsync("/api/cameras/nope/latest.jpg"), HttpStatusCode.NotFound, "name");
        await AssertProblem(await http.GetAsync("/api/cameras/sample/latest.jpg?h=abc"), HttpStatusCode.BadRequest, "h");
        await AssertProblem(await http.GetAsync("/api/cameras/sample/latest.jpg?h=5"), HttpStatusCode.BadRequest, "h");
        await AssertProblem(await http.GetAsync("/api/cameras/sample/latest.jpg?boxes=2"), HttpStatusCode.BadRequest, "boxes");
        await AssertProblem(await http.PostAsync("/api/cameras/sample/detect", new StringContent("MAYBE")), HttpStatusCode.BadRequest, "body");
        await AssertProblem(await http.PostAsync("/api/cameras/nope/detect", new StringContent("OFF")), HttpStatusCode.NotFound, "name");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.GetAsync("/api/cameras/sample/detect")).StatusCode);

        // Control characters and a long value are quoted cut and neutralised.
        var nasty = await http.GetAsync("/api/cameras/sample/latest.jpg?h=" + Uri.EscapeDataString("\u0001" + new string('9', 500)));
        var body = await nasty.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, nasty.StatusCode);
        Assert.DoesNotContain('\u0001', body);
        Assert.True(body.Length < 600, body);
    }

    [Fact]
    public async Task Agent_DetectOffOverHttp_PausesLikeMqttAndPublishesTheState()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var http = agent.Client;
        await using var subscriber = await MosquittoSubscriber.StartAsync(agent.MqttPort, $"edgevision/{agent.Device}/sample/detect/state");
        await subscriber.WaitForAsync($"edgevision/{agent.Device}/sample/detect/state", "ON").WaitAsync(Bound);

        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/cameras/sample/detect") { Content = new StringContent("OFF") };
        crossSite.Headers.Add("Origin", "http://attacker.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(crossSite)).StatusCode);

        var off = await http.PostAsync("/api/cameras/sample/detect", new StringContent("OFF"));
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        await subscriber.WaitForAsync($"edgevision/{agent.Device}/sample/detect/state", "OFF").WaitAsync(Bound);
        using (var cameras = JsonDocument.Parse(await http.GetStringAsync("/api/cameras")))
        {
            Assert.False(cameras.RootElement[0].GetProperty("detecting").GetBoolean());
        }

        var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/cameras/sample/detect") { Content = new StringContent("on") };
        sameOrigin.Headers.Add("Origin", http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(sameOrigin)).StatusCode);
        await subscriber.WaitForAsync(m => m.Topic.EndsWith("/detect/state", StringComparison.Ordinal) && m.Payload == "ON" && subscriber.Messages.Any(x => x.Payload == "OFF")).WaitAsync(Bound);
    }

    [Fact]
    public async Task Agent_CameraUnreachable_ReadyzUnavailableNamingIt()
    {
        await using var agent = await RunningAgent.StartAsync(
            "--EdgeVision:Cameras:0:Name=gate", "--EdgeVision:Cameras:0:Source=rtsp://127.0.0.1:1/stream", "--EdgeVision:Cameras:0:Loop=false");
        using var http = agent.Client;

        var response = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", report.RootElement.GetProperty("status").GetString());
        Assert.Contains("camera gate: offline", report.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain("rtsp://", await (await http.GetAsync("/api/cameras")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_Config_EffectiveAndAsGivenWithSecretsSourcesAndPathsHidden()
    {
        await using var agent = await RunningAgent.StartAsync(
            "--EdgeVision:Cameras:1:Name=gate", "--EdgeVision:Cameras:1:Source=rtsp://viewer:Se3cret@127.0.0.1:1/stream",
            "--Mqtt:Username=agent", "--Mqtt:Password=Se3cret", "--EdgeVision:Cameras:1:DetectFps=5");
        using var http = agent.Client;

        // Effective: what the agent runs with, defaults included (the store's bound was never given).
        var body = await http.GetStringAsync("/api/config");
        using (var config = JsonDocument.Parse(body))
        {
            var gate = config.RootElement.GetProperty("EdgeVision").GetProperty("Cameras")[1];
            Assert.Equal("gate", gate.GetProperty("Name").GetString());
            Assert.Equal(5, gate.GetProperty("DetectFps").GetDouble());
            Assert.Equal("(hidden)", gate.GetProperty("Source").GetString());
            Assert.Equal("(hidden)", config.RootElement.GetProperty("Mqtt").GetProperty("Password").GetString());
            Assert.Equal("(hidden)", config.RootElement.GetProperty("Mqtt").GetProperty("Outbox").GetProperty("Directory").GetString());
            Assert.Equal(256L * 1024 * 1024, config.RootElement.GetProperty("Store").GetProperty("MaxBytes").GetInt64());
            Assert.Equal("7.00:00:00", config.RootElement.GetProperty("Store").GetProperty("MaxAge").GetString());
            Assert.Equal(JsonValueKind.Null, config.RootElement.GetProperty("Http").GetProperty("Token").ValueKind);
        }

        // As given: only what the file, the environment and the command line said.
        var given = await http.GetStringAsync("/api/config?view=given");
        using (var config = JsonDocument.Parse(given))
        {
            var gate = config.RootElement.GetProperty("EdgeVision").GetProperty("Cameras").GetProperty("1");
            Assert.Equal("5", gate.GetProperty("DetectFps").GetString());
            Assert.Equal("(hidden)", gate.GetProperty("Source").GetString());
            Assert.False(config.RootElement.GetProperty("Store").TryGetProperty("MaxBytes", out _));
        }

        await AssertProblem(await http.GetAsync("/api/config?view=all"), HttpStatusCode.BadRequest, "view");
        foreach (var text in new[] { body, given })
        {
            Assert.DoesNotContain("Se3cret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("rtsp://", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetTempPath(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(RepositoryPaths.Root, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Agent_PortTaken_OneErrorLineAndDetectionGoesOn()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var agent = await RunningAgent.StartAsync($"--Http:Url=http://127.0.0.1:{port}");

        Assert.True(agent.Process.WaitForOutput($"Web surface: cannot listen on http://127.0.0.1:{port}", Bound), agent.Process.Output);
        await using var subscriber = await MosquittoSubscriber.StartAsync(agent.MqttPort, $"edgevision/{agent.Device}/sample/detections");
        await subscriber.WaitForTopicAsync($"edgevision/{agent.Device}/sample/detections").WaitAsync(Bound);
        Assert.False(agent.Process.HasExited);
    }

    private static string? LastFrameAt(string cameras)
    {
        using var json = JsonDocument.Parse(cameras);
        return json.RootElement[0].GetProperty("last_frame_at").GetString();
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string parameter)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
    }

    internal static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(200);
        }
    }

    /// <summary>The agent on the bundled clip with its embedded broker on a free port and its web surface on another.</summary>
    internal sealed class RunningAgent : IAsyncDisposable
    {
        private RunningAgent(AgentProcess process, string device, int mqttPort, string? address)
        {
            Process = process;
            Device = device;
            MqttPort = mqttPort;
            Client = new HttpClient { BaseAddress = address is null ? null : new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        }

        public AgentProcess Process { get; }

        public string Device { get; }

        public int MqttPort { get; }

        public HttpClient Client { get; }

        public static Task<RunningAgent> StartAsync(params string[] more)
        {
            var device = "http-" + Guid.NewGuid().ToString("N")[..8];
            var port = MosquittoBroker.FreePort();
            var state = Path.Combine(Path.GetTempPath(), "edgevision-http-tests", device);
            var process = AgentProcess.Start(
            [
                "run",
                "--EdgeVision:ConsoleSummaryInterval=00:00:00",
                $"--EdgeVision:SnapshotDirectory={Path.Combine(state, "snapshots")}",
                $"--Mqtt:Outbox:Directory={Path.Combine(state, "outbox")}",
                $"--Mqtt:DeviceId={device}",
                $"--Mqtt:Embedded:Port={port}",
                .. more,
            ]);
            string? address = null;
            try
            {
                if (!more.Any(m => m.StartsWith("--Http:Url", StringComparison.Ordinal) || m.StartsWith("--Http:Enabled", StringComparison.Ordinal)))
                {
                    Assert.True(process.WaitForOutput("Web surface on ", Bound), process.Output);
                    address = Address().Match(process.Output).Groups[1].Value;
                }

                return Task.FromResult(new RunningAgent(process, device, port, address));
            }
            catch
            {
                // An agent whose start the test could not follow must not outlive the test.
                process.Dispose();
                throw;
            }
        }

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            Process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
