using System.Diagnostics;
using System.Text;

namespace EdgeVision.Tests.Support;

/// <summary>
/// A real RTSP server: tools/rtsp-server/serve-clip.py (Debian's gst-rtsp-server through python3-gi) serving
/// samples/vtest-clip.mp4 at rtsp://127.0.0.1:&lt;port&gt;/clip. Starting returns once it listens; <see cref="KillHard"/>
/// is SIGKILL, as when a camera loses power.
/// </summary>
internal sealed class RtspClipServer : IDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RtspClipServer(int port, Process process)
    {
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public string Url => $"rtsp://127.0.0.1:{Port}/clip";

    public static async Task<RtspClipServer> StartAsync(int port)
    {
        var script = Path.Combine(RepositoryPaths.Root, "tools", "rtsp-server", "serve-clip.py");
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var server = new RtspClipServer(port, process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(server._serving.Task, process.WaitForExitAsync(), Task.Delay(StartBound));
        if (first != server._serving.Task)
        {
            var output = server.Output;
            server.Dispose();
            throw new InvalidOperationException($"the RTSP server did not start on port {port} (bash scripts/install-deps.sh installs it): {output}");
        }

        return server;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.StartsWith("serving rtsp://", StringComparison.Ordinal))
        {
            _serving.TrySetResult();
        }
    }
}
