using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>mqtt-probe</c> (hidden, for diagnostics and the MQTT tests): connects to a broker exactly as the agent does
/// — same client options, same last will — publishes retained <c>online</c> and then only holds the connection.
/// Ctrl+C stops it cleanly (retained <c>stopped</c>); killing it makes the broker publish the will <c>offline</c>.
/// </summary>
internal sealed class MqttProbeVerb : IVerb
{
    public string Name => "mqtt-probe";

    public string Usage => "--host HOST [--port N] [--device ID] [--prefix P]";

    public bool Hidden => true;

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["host=", "port=", "device=", "prefix="]);
        parsed.ExpectPositionals(0);
        var options = new MqttOptions
        {
            Host = parsed.Get("host") ?? throw new UserFacingException($"{Name}: --host is required", 2),
            Port = parsed.GetInt("port", 1883, 1, 65535),
            DeviceId = parsed.Get("device", MqttOptions.DefaultDeviceId()),
            TopicPrefix = parsed.Get("prefix", "edgevision"),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
            ReconnectMaxDelay = TimeSpan.FromSeconds(2),
        };
        var errors = MqttOptionsValidator.Collect(options);
        if (errors.Count > 0)
        {
            throw new UserFacingException($"{Name}: {string.Join("; ", errors)}", 2);
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        // The connection alone: the probe publishes no events, so it takes no outbox (and no agent's outbox lock).
        await using var connection = new MqttConnection(options, new MqttTopics(options.TopicPrefix, options.DeviceId), loggerFactory.CreateLogger<MqttConnection>());
        connection.Start();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await connection.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        return 0;
    }
}
