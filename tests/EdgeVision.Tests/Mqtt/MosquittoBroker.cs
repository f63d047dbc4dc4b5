using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Mqtt;

/// <summary>
/// A real mosquitto (Debian's /usr/sbin/mosquitto) on a loopback port, anonymous, without persistence unless asked,
/// killed on dispose. Starting waits until the port accepts connections. For fault tests it can be SIGKILLed and
/// restarted on the same port with the same configuration (and database), or frozen with SIGSTOP.
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    /// <summary>Bound for waits on an external process; it only keeps a broken setup from hanging the run.</summary>
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _directory;
    private readonly string _config;
    private readonly System.Text.StringBuilder _log = new();
    private Process _process;

    private MosquittoBroker(int port, string config, TemporaryDirectory directory)
    {
        Port = port;
        _config = config;
        _directory = directory;
        _process = Launch();
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
    /// <param name="persistent">
    /// Keep sessions, subscriptions and queued messages in a database saved every second, so a subscriber's session
    /// outlives a SIGKILL and restart of the broker.
    /// </param>
    public static async Task<MosquittoBroker> StartAsync(int? port = null, string extraConfig = "", IReadOnlyDictionary<string, string>? files = null, bool persistent = false)
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

        var persistence = "persistence false\n";
        if (persistent)
        {
            // The "mosquitto" user writes the database, so its folder is open to it.
            var database = Directory.CreateDirectory(directory.Combine("db")).FullName;
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(database, (UnixFileMode)0x1FF);
            }

            persistence = $"persistence true\npersistence_location {database}/\nautosave_interval 1\n";
        }

        await File.WriteAllTextAsync(
            config,
            $"listener {chosen} 127.0.0.1\nallow_anonymous true\n{persistence}log_dest stderr\n" +
            extraConfig.Replace("{dir}", directory.Path, StringComparison.Ordinal));
        var broker = new MosquittoBroker(chosen, config, directory);
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

    /// <summary>
    /// Waits until a persistent broker has saved its database once more after this call: from then on, the sessions
    /// and subscriptions made before the call survive a SIGKILL.
    /// </summary>
    public async Task WaitForNextSaveAsync()
    {
        const string Saving = "Saving in-memory database";
        var saves = CountOf(Saving);
        var bound = Stopwatch.StartNew();
        while (CountOf(Saving) <= saves)
        {
            if (bound.Elapsed > StartBound)
            {
                throw new TimeoutException($"mosquitto on port {Port} saved no database within {StartBound}: {Log}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: the broker dies at once, with no chance to save or to close connections cleanly.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>Starts mosquitto again on the same port with the same configuration (killing it first if it runs).</summary>
    public async Task RestartAsync()
    {
        KillHard();
        _process.Dispose();
        _process = Launch();
        await WaitUntilAcceptingAsync();
    }

    /// <summary>SIGSTOP: the process freezes; its sockets stay open, so clients see a connection that never answers.</summary>
    public void Freeze() => Signal("-STOP");

    /// <summary>SIGCONT: a frozen broker goes on where it stopped.</summary>
    public void Thaw() => Signal("-CONT");

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

    private int CountOf(string text)
    {
        var log = Log;
        var count = 0;
        for (var at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private Process Launch()
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable, ["-c", _config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) => OnLogLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLogLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
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
