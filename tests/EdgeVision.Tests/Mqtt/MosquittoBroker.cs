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
    private readonly System.Text.StringBuilder _log = new();

    private MosquittoBroker(int port, Process process, TemporaryDirectory directory)
    {
        Port = port;
        _process = process;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary>What mosquitto logged so far (it logs to standard error here, which is drained so it never blocks).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>A port nothing listens on right now (the OS picks it; a short race with other processes remains).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <param name="extraConfig">Further mosquitto.conf lines; <c>{dir}</c> stands for the broker's own temporary folder.</param>
    /// <param name="files">Files to write into that folder first (an ACL file, say).</param>
    public static async Task<MosquittoBroker> StartAsync(int? port = null, string extraConfig = "", IReadOnlyDictionary<string, string>? files = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} missing: apt-get install mosquitto mosquitto-clients (scripts/install-deps.sh does)");
        }

        var chosen = port ?? FreePort();
        var directory = new TemporaryDirectory();

        // Started as root, mosquitto drops to the "mosquitto" user, which must still read its ACL file.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var config = directory.Combine("mosquitto.conf");
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(directory.Combine(name), content);
        }

        await File.WriteAllTextAsync(
            config,
            $"listener {chosen} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n" +
            extraConfig.Replace("{dir}", directory.Path, StringComparison.Ordinal));
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable, ["-c", config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        var broker = new MosquittoBroker(chosen, process, directory);
        process.OutputDataReceived += (_, e) => broker.OnLogLine(e.Data);
        process.ErrorDataReceived += (_, e) => broker.OnLogLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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

    private void OnLogLine(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilAcceptingAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} before accepting on port {Port}: {Log}");
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
