using EdgeVision.Tests.Models;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Agent;

/// <summary>
/// The real agent process with secrets in its configuration: a camera URL with a password, a TLS broker that wants
/// a password from a file. What the agent prints and publishes is searched for the secrets.
/// </summary>
public sealed class AgentSecurityTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Run_RefusedCameraUrlWithPassword_PasswordInNoOutputAndNoMqttMessage()
    {
        const string Encoded = "p%40ss.word%25x";
        const string Decoded = "p@ss.word%x";
        await using var broker = await MosquittoBroker.StartAsync();
        await using var everything = await MosquittoSubscriber.StartAsync(broker.Port, "#");
        var closedPort = MosquittoBroker.FreePort();
        var device = "sec-" + Guid.NewGuid().ToString("N")[..8];

        // OpenCV's own debug switches are set on purpose: with them, OpenCV prints every URL it opens. The agent
        // must switch them off for itself before OpenCV loads.
        var environment = new Dictionary<string, string>
        {
            ["OPENCV_VIDEOIO_DEBUG"] = "1",
            ["OPENCV_LOG_LEVEL"] = "DEBUG",
            ["OPENCV_FFMPEG_DEBUG"] = "1",
            ["OPENCV_FFMPEG_LOGLEVEL"] = "56",
        };
        using var agent = AgentProcess.Start(environment, [.. Settings(
            device,
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={broker.Port}",
            "--EdgeVision:Cameras:1:Name=locked",
            $"--EdgeVision:Cameras:1:Source=rtsp://cam.user:{Encoded}@127.0.0.1:{closedPort}/x",
            "--EdgeVision:Cameras:1:OpenTimeout=00:00:01",
            "--EdgeVision:Cameras:1:ReconnectInitialDelay=00:00:00.200",
            "--EdgeVision:Cameras:1:ReconnectMaxDelay=00:00:01")]);

        // Stats counting reconnects show that the camera has been opened and refused several times.
        await everything.WaitForAsync(m => m.Topic == $"edgevision/{device}/stats" && Reconnects(m.Payload, "locked") >= 2).WaitAsync(Bound);
        agent.Terminate();
        Assert.Equal(0, agent.WaitForExit(Bound));

        var output = agent.Output;
        Assert.Contains($"Camera locked: capture started (Stream rtsp://cam.user:***@127.0.0.1:{closedPort}/x)", output, StringComparison.Ordinal);
        Assert.Contains("Camera locked: cannot open (attempt 2)", output, StringComparison.Ordinal);
        Assert.NotEmpty(everything.Messages);
        foreach (var secret in new[] { Encoded, Decoded, "ss.word" })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(everything.Messages, m => m.Topic.Contains(secret, StringComparison.Ordinal) || m.Payload.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Run_TlsBrokerWithPasswordFromFile_GoesOnline()
    {
        const string Password = "tls.Pa55@word%";
        using var certificates = TestCertificates.Create();
        await using var broker = await BrokerSecurityTests.PasswordBrokerAsync("agent", Password, certificates.ListenerConfig());
        var passwordFile = _directory.Combine("mqtt-password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        var device = "sec-" + Guid.NewGuid().ToString("N")[..8];
        await using var subscriber = await MosquittoSubscriber.StartAsync(
            broker.Port, $"edgevision/{device}/#", "--cafile", certificates.CaFile, "-u", "agent", "-P", Password);

        using var agent = AgentProcess.Start([.. Settings(
            device,
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={broker.Port}",
            "--Mqtt:Username=agent",
            $"--Mqtt:PasswordFile={passwordFile}",
            "--Mqtt:Tls:Enabled=true",
            $"--Mqtt:Tls:CaFile={certificates.CaFile}")]);

        await subscriber.WaitForAsync($"edgevision/{device}/status", "online").WaitAsync(Bound);
        await subscriber.WaitForTopicAsync($"edgevision/{device}/sample/detections").WaitAsync(Bound);
        agent.Terminate();
        Assert.Equal(0, agent.WaitForExit(Bound));
        Assert.DoesNotContain("Pa55", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CredentialsFromSystemdCredentialsDirectory_GoesOnline()
    {
        const string Password = "systemd.Pa55@word";
        await using var broker = await BrokerSecurityTests.PasswordBrokerAsync("svc-agent", Password);
        var credentials = _directory.Combine("credentials");
        Directory.CreateDirectory(credentials);
        await File.WriteAllTextAsync(Path.Combine(credentials, "mqtt-username"), "svc-agent\n");
        await File.WriteAllTextAsync(Path.Combine(credentials, "mqtt-password"), Password + "\n");
        var device = "sec-" + Guid.NewGuid().ToString("N")[..8];
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"edgevision/{device}/#", "-u", "svc-agent", "-P", Password);

        // What systemd sets for a unit with LoadCredential=; nothing about credentials is on the command line.
        using var agent = AgentProcess.Start(
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = credentials },
            [.. Settings(device, "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={broker.Port}")]);

        await subscriber.WaitForAsync($"edgevision/{device}/status", "online").WaitAsync(Bound);
        agent.Terminate();
        Assert.Equal(0, agent.WaitForExit(Bound));
        Assert.DoesNotContain("Pa55", agent.Output, StringComparison.Ordinal);
    }

    private static long Reconnects(string statsJson, string camera)
    {
        using var document = System.Text.Json.JsonDocument.Parse(statsJson);
        return document.RootElement.GetProperty("cameras").EnumerateArray()
            .Where(c => c.GetProperty("name").GetString() == camera)
            .Select(c => c.GetProperty("reconnects").GetInt64())
            .DefaultIfEmpty(0)
            .Single();
    }

    private List<string> Settings(string device, params string[] more) =>
    [
        "run",
        "--EdgeVision:ConsoleSummaryInterval=00:00:00",
        $"--EdgeVision:SnapshotDirectory={_directory.Combine("snapshots")}",
        $"--Mqtt:DeviceId={device}",
        "--Mqtt:StatsInterval=00:00:01",
        .. more,
    ];
}
