using System.Diagnostics;
using System.Text;

namespace EdgeVision.Tests.Support;

/// <summary>
/// The real `edgevision` command as a child process (the edgevision.dll built beside the tests), run from the
/// repository root; output is collected, and the process can be killed with SIGKILL to test what survives it.
/// </summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public static AgentProcess Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    public static AgentProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartIn(RepositoryPaths.Root, environment, arguments);

    public static AgentProcess StartIn(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edgevision.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Agents of different tests run side by side: each web surface takes a free port unless a test says otherwise
        // (the agent prints the address it got). An --Http:… argument still wins over this.
        info.Environment["EDGEVISION_Http__Url"] = "http://127.0.0.1:0";

        // Each agent keeps its history in a database of its own, not the state directory's shared one.
        info.Environment["EDGEVISION_Store__Path"] = Path.Combine(Path.GetTempPath(), "edgevision-test-stores", Guid.NewGuid().ToString("N") + ".db");

        // And its state (numbering, what Home Assistant was told, imported models) in a directory of its own, not the
        // user's ~/.local/state; a test that restarts an agent on the same state passes STATE_DIRECTORY itself.
        info.Environment["STATE_DIRECTORY"] = Path.Combine(Path.GetTempPath(), "edgevision-test-state", Guid.NewGuid().ToString("N"));
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits for the process to end; kills it and fails if it runs past <paramref name="limit"/>.</summary>
    public int WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"edgevision did not exit within {limit}; output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; false if the process ends or time runs out first.</summary>
    public bool WaitForOutput(string text, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(50);
        }

        return false;
    }

    /// <summary>SIGKILL: no shutdown code runs, as when power is cut or the OOM killer strikes.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM: what systemd sends on stop; the agent shuts down cleanly.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }
}
