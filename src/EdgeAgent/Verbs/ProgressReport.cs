using System.Globalization;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// How far a long command is, on standard error so that its results on standard output stay clean. On a
/// terminal: one line rewritten in place (a bar, the count, the time so far) at most ten times a second. Not on a
/// terminal (CI logs, systemd's journal, a pipe): a plain line when a step starts, then at most one a
/// <see cref="PlainInterval"/>, and one when the step is done, so a log shows progress without a line per frame.
/// </summary>
internal sealed class ProgressReport(string command, TextWriter writer, bool terminal, TimeProvider time)
{
    /// <summary>Between two plain lines of the same step.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(100);
    private const int BarWidth = 24;

    private readonly TextWriter _writer = writer;
    private readonly bool _terminal = terminal;
    private readonly TimeProvider _time = time;
    private readonly string _command = command;
    private string? _step;
    private DateTimeOffset _stepStarted;
    private DateTimeOffset _lastShown;
    private int _lineLength;

    /// <summary>The report a command gives on this process's standard error.</summary>
    public static ProgressReport ForConsole(string command) =>
        new(command, Console.Error, !Console.IsErrorRedirected && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal), TimeProvider.System);

    /// <summary>
    /// <paramref name="done"/> of <paramref name="total"/> (null when unknown) <paramref name="unit"/> of
    /// <paramref name="step"/>; a new step name starts a new line.
    /// </summary>
    public void Report(string step, long done, long? total, string unit)
    {
        var now = _time.GetUtcNow();
        var newStep = !string.Equals(step, _step, StringComparison.Ordinal);
        if (newStep)
        {
            EndLine();
            _step = step;
            _stepStarted = now;
        }

        var finished = total is { } t && done >= t;
        var since = now - _lastShown;
        if (!newStep && !finished && since < (_terminal ? TerminalInterval : PlainInterval))
        {
            return;
        }

        _lastShown = now;
        var text = Describe(step, done, total, unit, now - _stepStarted);
        if (_terminal)
        {
            _writer.Write('\r' + text.PadRight(_lineLength));
            _lineLength = text.Length;
            if (finished)
            {
                EndLine();
            }
        }
        else
        {
            _writer.WriteLine(text);
        }

        _writer.Flush();
    }

    /// <summary>A step without a count (loading, writing): one line saying what is being done.</summary>
    public void Stage(string step)
    {
        EndLine();
        _step = step;
        _stepStarted = _lastShown = _time.GetUtcNow();
        _writer.WriteLine($"{_command}: {step}");
        _writer.Flush();
    }

    /// <summary>
    /// Reports the seconds gone of <paramref name="work"/> that should take about <paramref name="expected"/>
    /// (a timed benchmark run), once a second, until it ends.
    /// </summary>
    public async Task<T> TrackAsync<T>(string step, TimeSpan expected, Task<T> work)
    {
        var started = _time.GetUtcNow();
        var total = Math.Max(1, (long)Math.Ceiling(expected.TotalSeconds));
        while (!work.IsCompleted)
        {
            Report(step, Math.Min(total - 1, (long)(_time.GetUtcNow() - started).TotalSeconds), total, "s");
            await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(1), _time)).ConfigureAwait(false);
        }

        var result = await work.ConfigureAwait(false);
        Report(step, total, total, "s");
        return result;
    }

    /// <summary>Ends a line left open on a terminal, so what the command prints next starts on its own line.</summary>
    public void EndLine()
    {
        if (_terminal && _lineLength > 0)
        {
            _writer.WriteLine();
            _writer.Flush();
        }

        _lineLength = 0;
    }

    private string Describe(string step, long done, long? total, string unit, TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
        if (total is not { } t || t <= 0)
        {
            return $"{_command}: {step}: {done} {unit}, {seconds}";
        }

        var share = Math.Clamp((double)done / t, 0, 1);
        var counted = $"{done}/{t} {unit} ({(share * 100).ToString("F0", CultureInfo.InvariantCulture)} %), {seconds}";
        if (!_terminal)
        {
            return $"{_command}: {step}: {counted}";
        }

        var filled = (int)Math.Round(share * BarWidth);
        return $"{_command}: {step} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {counted}";
    }
}
