using System.Diagnostics;
using EdgeVision.EdgeAgent;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Models;
using EdgeVision.Pipeline;
using EdgeVision.Tests.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.Tests.Mqtt;

/// <summary>Options, frames and loggers shared by the MQTT tests.</summary>
internal static class MqttTestSupport
{
    /// <summary>Where tests keep outboxes: one fresh folder per options object, under this test run's own folder.</summary>
    public static readonly string OutboxRoot = Path.Combine(Path.GetTempPath(), "edgevision-tests-" + Environment.ProcessId, "outbox");

    /// <summary>Client options for a broker on this machine, with short reconnect delays so tests do not idle, and a fresh outbox.</summary>
    public static MqttOptions OptionsFor(int port, string device) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        DeviceId = device,
        KeepAlive = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        Outbox = { Directory = Path.Combine(OutboxRoot, Guid.NewGuid().ToString("N")) },
    };

    /// <summary>A publisher started and online (it has published <c>online</c>); fails with everything logged if it never gets there.</summary>
    public static async Task<MqttPublisher> StartOnlineAsync(MqttOptions options, RecordingLoggerFactory logs)
    {
        var publisher = new MqttPublisher(Options.Create(options), logs);
        await publisher.StartAsync(CancellationToken.None);
        using var bound = new CancellationTokenSource(MosquittoSubscriber.WaitBound);
        try
        {
            await publisher.WaitUntilOnlineAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            await publisher.DisposeAsync();
            throw new InvalidOperationException("publisher never came online: " + string.Join(" | ", logs.Logger.Entries.Select(e => e.Message)));
        }

        return publisher;
    }

    public static FrameDetections Frame(string camera = "cam1", long sequence = 42) => new(
        camera,
        sequence,
        new DateTimeOffset(2026, 11, 26, 13, 27, 48, 125, TimeSpan.FromHours(1)),
        CaptureTimestamp: 123_456_789,
        Width: 768,
        Height: 576,
        Model: "nanodet-g",
        InferenceMs: 12.3456,
        BatchSize: 2,
        Detections:
        [
            new Detection(0, "person", 0.87654f, 10.04f, 20.06f, 110.55f, 300.25f),
            new Detection(2, "car", 0.5f, 400f, 100.123f, 767.99f, 575.96f),
        ]);

    /// <summary>The exact JSON <see cref="Frame"/> publishes as from device <paramref name="device"/>.</summary>
    public static string FrameJson(string device, string camera = "cam1", long sequence = 42) =>
        "{\"schema\":\"edgevision.detections\",\"version\":1,\"device\":\"" + device + "\",\"camera\":\"" + camera + "\",\"seq\":" + sequence +
        ",\"captured_at\":\"2026-11-26T12:27:48.125Z\",\"width\":768,\"height\":576,\"model\":\"nanodet-g\",\"inference_ms\":12.346," +
        "\"detections\":[{\"label\":\"person\",\"class_id\":0,\"score\":0.8765,\"box\":[10,20.1,110.6,300.3]}," +
        "{\"label\":\"car\",\"class_id\":2,\"score\":0.5,\"box\":[400,100.1,768,576]}]}";

    /// <summary>Runs <c>edgevision mqtt-probe</c> as its own process, so a test can SIGKILL it.</summary>
    public static Process StartProbe(int port, string device)
    {
        var agent = typeof(CommandLine).Assembly.Location;
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[agent, "mqtt-probe", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--device", device])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("mqtt-probe did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

/// <summary>Hands the same <see cref="RecordingLogger"/> to every category.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    public RecordingLogger Logger { get; } = new();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => Logger;

    /// <summary>Waits until <paramref name="count"/> entries match; the bound only keeps a broken case from hanging.</summary>
    public async Task WaitForEntriesAsync(Func<(LogLevel Level, string Message), bool> match, int count)
    {
        var bound = Stopwatch.StartNew();
        while (Logger.Entries.Count(match) < count)
        {
            if (bound.Elapsed > MosquittoSubscriber.WaitBound)
            {
                throw new TimeoutException($"fewer than {count} matching log entries: {string.Join(" | ", Logger.Entries.Select(e => e.Message))}");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
    }
}
