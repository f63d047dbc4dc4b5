using System.Diagnostics;

namespace EdgeVision.Tests.Mqtt;

/// <summary>One message as mosquitto_sub printed it: the retain flag as delivered, the topic, the payload.</summary>
internal sealed record ReceivedMessage(bool Retained, string Topic, string Payload);

/// <summary>
/// An independent subscriber: Debian's mosquitto_sub as a child process, MQTT 5, printing each message as
/// <c>MSG &lt;retain&gt; &lt;topic&gt; &lt;payload&gt;</c>. Starting returns once the broker has acknowledged the subscription,
/// so nothing published afterwards can be missed.
/// </summary>
internal sealed class MosquittoSubscriber : IAsyncDisposable
{
    public static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(30);

    private const string Marker = "MSG ";

    private readonly Process _process;
    private readonly List<ReceivedMessage> _messages = [];
    private readonly List<string> _otherLines = [];
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MosquittoSubscriber(Process process)
    {
        _process = process;
    }

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }
    }

    public static async Task<MosquittoSubscriber> StartAsync(int port, string filter = "edgevision/#", params string[] extraArguments)
    {
        // stdbuf: mosquitto_sub's stdio would hold its debug lines (the SUBACK we wait for) in a pipe buffer.
        var start = new ProcessStartInfo("/usr/bin/stdbuf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-oL", "/usr/bin/mosquitto_sub", "-d", "-V", "mqttv5", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-F", Marker + "%r %t %p", "-t", filter, .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var subscriber = new MosquittoSubscriber(process);
        process.OutputDataReceived += (_, e) => subscriber.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => subscriber.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(subscriber._subscribed.Task, exited, Task.Delay(WaitBound));
        if (first != subscriber._subscribed.Task)
        {
            await exited.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
            var transcript = subscriber.Transcript();
            await subscriber.DisposeAsync();
            throw new InvalidOperationException($"mosquitto_sub on port {port} did not subscribe: {transcript}");
        }

        return subscriber;
    }

    /// <summary>The first message (in arrival order) that matches, waiting for it if needed.</summary>
    public async Task<ReceivedMessage> WaitForAsync(Func<ReceivedMessage, bool> match)
    {
        var bound = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_messages)
            {
                var found = _messages.FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            var left = WaitBound - bound.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited)
            {
                throw new TimeoutException($"no matching message; mosquitto_sub printed: {Transcript()}");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    public Task<ReceivedMessage> WaitForAsync(string topic, string payload) =>
        WaitForAsync(m => m.Topic == topic && m.Payload == payload);

    public Task<ReceivedMessage> WaitForTopicAsync(string topic) => WaitForAsync(m => m.Topic == topic);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private string Transcript()
    {
        lock (_messages)
        {
            return string.Join(" | ", _otherLines.Concat(_messages.Select(m => $"{Marker}{(m.Retained ? 1 : 0)} {m.Topic} {m.Payload}")));
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_messages)
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                var parts = line[Marker.Length..].Split(' ', 3);
                _messages.Add(new ReceivedMessage(parts[0] == "1", parts[1], parts.Length > 2 ? parts[2] : string.Empty));
            }
            else
            {
                _otherLines.Add(line);
                if (line.StartsWith("Subscribed (mid:", StringComparison.Ordinal))
                {
                    _subscribed.TrySetResult();
                }
            }

            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }
}
