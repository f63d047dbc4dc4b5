using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeVision.EdgeAgent.Bench;
using EdgeVision.EdgeAgent.Mqtt.Outbox;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>bench-outbox</c>: the outbox's delivery rate over a slow link for each in-flight limit given. A proxy that adds
/// the round trip sits in front of the broker given by <c>--broker</c>, or of a mosquitto started for the run when
/// none is given (Debian's /usr/sbin/mosquitto).
/// </summary>
internal sealed class BenchOutboxVerb : IVerb
{
    private const string Mosquitto = "/usr/sbin/mosquitto";

    public string Name => "bench-outbox";

    public string Usage => "[--broker HOST:PORT] [--rtt-ms MS] [--messages N] [--in-flight N,N]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["broker=", "rtt-ms=", "messages=", "in-flight="]);
        parsed.ExpectPositionals(0);
        var roundTrip = TimeSpan.FromMilliseconds(parsed.GetInt("rtt-ms", 200, 0, 10_000));
        var messages = parsed.GetInt("messages", 1000, 1, 1_000_000);
        var limits = InFlightLimits(parsed.Get("in-flight", "1,16"));
        var given = parsed.Get("broker");
        (string Host, int Port)? broker = given is null ? null : Endpoint(given);
        using var local = broker is null ? await StartMosquittoAsync(cancellationToken).ConfigureAwait(false) : null;
        var (host, port) = broker ?? ("127.0.0.1", local!.Port);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench-outbox: {messages} QoS 1 messages through a {roundTrip.TotalMilliseconds:F0} ms round trip to {host}:{port}{(local is null ? string.Empty : " (mosquitto started for the run)")}"));
        Console.WriteLine("in flight  seconds  messages/s  most in flight");
        foreach (var limit in limits)
        {
            var result = await OutboxBenchmark.RunAsync(host, port, roundTrip, messages, limit, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.MaxInFlight,9}  {result.Seconds,7:F2}  {result.MessagesPerSecond,10:F1}  {result.MaxInFlightSeen,14}"));
        }

        return 0;
    }

    private int[] InFlightLimits(string text)
    {
        var limits = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > OutboxOptionsValidator.MaxInFlightLimit)
            {
                throw new UserFacingException($"{Name}: --in-flight must list numbers from 1 to {OutboxOptionsValidator.MaxInFlightLimit} separated by commas (as 1,16), found '{text}'", 2);
            }

            limits.Add(limit);
        }

        return [.. limits];
    }

    private (string Host, int Port) Endpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new UserFacingException($"{Name}: --broker must be HOST:PORT (as 127.0.0.1:1883), found '{text}'", 2);
        }

        return (text[..colon], port);
    }

    private async Task<LocalMosquitto> StartMosquittoAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Mosquitto))
        {
            throw new UserFacingException($"{Name}: no --broker given and no {Mosquitto} to start (apt-get install mosquitto)", 2);
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        // Without a configuration file mosquitto 2 listens on loopback only and lets anonymous clients in.
        var process = Process.Start(new ProcessStartInfo(Mosquitto, ["-p", port.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new UserFacingException($"{Name}: {Mosquitto} did not start", 1);
        process.BeginErrorReadLine();
        var local = new LocalMosquitto(process, port);
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return local;
            }
            catch (SocketException) when (started.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                local.Dispose();
                throw new UserFacingException($"{Name}: {Mosquitto} did not listen on 127.0.0.1:{port}", 1);
            }
        }
    }

    /// <summary>The mosquitto started for a run; killed with it.</summary>
    private sealed class LocalMosquitto(Process process, int port) : IDisposable
    {
        public int Port => port;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
