using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Mqtt;

/// <summary>
/// A real mosquitto (Debian's /usr/sbin/mosquitto) on a loopback port, anonymous, without persistence, killed on
/// dispose. Starting waits until the port accepts connections.
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    /// <summary>Bound for waits on an external process; it only keeps a broken setup from hanging the run.</summary>
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _directory;
    private readonly Process _process;

    private MosquittoBroker(int port, Process process, TemporaryDirectory directory)
    {
        Port = port;
        _process = process;
        _directory = directory;
    }

    public int Port { get; }

    public string LogPath => _directory.Combine("mosquitto.log");

    /// <summary>A port nothing listens on right now (the OS picks it; a short race with other processes remains).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<MosquittoBroker> StartAsync(int? port = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} missing: apt-get install mosquitto mosquitto-clients (scripts/install-deps.sh does)");
        }

        var chosen = port ?? FreePort();
        var directory = new TemporaryDirectory();
        var config = directory.Combine("mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {chosen} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest file {directory.Combine("mosquitto.log")}\n");
        var process = Process.Start(new ProcessStartInfo(Executable, ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        var broker = new MosquittoBroker(chosen, process, directory);
        try
        {
            await broker.WaitUntilAcceptingAsync();
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private async Task WaitUntilAcceptingAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                var log = File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : string.Empty;
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} before accepting on port {Port}: {await _process.StandardError.ReadToEndAsync()} {log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < StartBound)
            {
                await Task.Delay(50);
            }
        }
    }
}
