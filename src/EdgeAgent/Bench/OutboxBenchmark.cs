using System.Diagnostics;
using System.Text;
using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Bench;

/// <summary>One delivery run: how long the outbox took to empty through the slow link.</summary>
/// <param name="Seconds">From starting the publisher (connect included: about two round trips) to the last PUBACK.</param>
internal sealed record OutboxBenchResult(int MaxInFlight, int Messages, double Seconds, long MaxInFlightSeen)
{
    public double MessagesPerSecond => Messages / Seconds;
}

/// <summary>
/// The outbox's delivery rate over a link with a long round trip: a <see cref="DelayingProxy"/> in front of the
/// broker, a fresh outbox holding event-sized messages, and the real publisher draining it with a given
/// <see cref="Mqtt.Outbox.OutboxOptions.MaxInFlight"/>.
/// </summary>
internal static class OutboxBenchmark
{
    /// <summary>About the size of an event message (JSON with ids, box, zone and times).</summary>
    private const int PayloadBytes = 320;

    public static async Task<OutboxBenchResult> RunAsync(string host, int port, TimeSpan roundTrip, int messages, int maxInFlight, CancellationToken cancellationToken)
    {
        await using var proxy = DelayingProxy.Start(host, port, roundTrip / 2);
        var directory = Path.Combine(Path.GetTempPath(), "edgevision-bench-outbox-" + Guid.NewGuid().ToString("N"));
        var options = new MqttOptions
        {
            Host = "127.0.0.1",
            Port = proxy.Port,
            DeviceId = "bench-outbox-" + Guid.NewGuid().ToString("N")[..8],
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
            Outbox = { Directory = directory, MaxInFlight = maxInFlight },
        };
        try
        {
            await using var publisher = new MqttPublisher(Options.Create(options), NullLoggerFactory.Instance);
            var topic = publisher.Topics.Events("bench");
            var payload = new byte[PayloadBytes];
            for (var i = 0; i < messages; i++)
            {
                Encoding.ASCII.GetBytes($"{{\"seq\":{i + 1}}}".PadRight(PayloadBytes), payload);
                publisher.Outbox.Append(topic, payload, retain: false);
            }

            var clock = Stopwatch.StartNew();
            await publisher.StartAsync(cancellationToken).ConfigureAwait(false);
            while (publisher.Outbox.Counters.Pending > 0)
            {
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var seen = publisher.OutboxCounters.MaxInFlightSeen;
            await publisher.StopAsync(cancellationToken).ConfigureAwait(false);
            return new OutboxBenchResult(maxInFlight, messages, seconds, seen);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
