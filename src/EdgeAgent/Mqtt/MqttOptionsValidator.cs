using System.Net;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>Checks every <see cref="MqttOptions"/> key and reports all bad ones at once, each named by its configuration key.</summary>
internal sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    /// <summary>
    /// Bound for the prefix and the device id. Every topic is these two plus camera, zone, line and label names of
    /// at most 64 characters each, so with this bound no topic comes near MQTT's 65 535 bytes [MQTT-4.7.3-3].
    /// </summary>
    public const int MaxTopicLevelBytes = 1024;

    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static IReadOnlyList<string> Collect(MqttOptions options) =>
        Collect(options, Environment.GetEnvironmentVariable(MqttCredentials.CredentialsDirectoryVariable));

    /// <param name="credentialsDirectory">systemd's <c>$CREDENTIALS_DIRECTORY</c>, or null.</param>
    public static IReadOnlyList<string> Collect(MqttOptions options, string? credentialsDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string S = MqttOptions.SectionName;

        CheckPort(errors, $"{S}:Port", options.Port);

        CheckTopicLevel(errors, $"{S}:TopicPrefix", options.TopicPrefix);
        CheckTopicLevel(errors, $"{S}:DeviceId", options.DeviceId);

        if (options.EffectiveClientId.Contains('\0', StringComparison.Ordinal) || MqttTopics.Utf8Length(options.EffectiveClientId) > MqttTopics.MaxUtf8Bytes)
        {
            errors.Add($"{S}:ClientId must not contain NUL and must be at most {MqttTopics.MaxUtf8Bytes} UTF-8 bytes");
        }

        // The CONNECT packet carries keep alive as a two-byte number of seconds [MQTT-3.1.2.10]. 0 would switch it
        // off, which the client library does not survive (it drops the connection right after CONNACK), and without
        // it the broker could not notice a dead agent and publish its will.
        if (options.KeepAlive < TimeSpan.FromSeconds(1) || options.KeepAlive > TimeSpan.FromSeconds(ushort.MaxValue))
        {
            errors.Add($"{S}:KeepAlive must be from 00:00:01 to {TimeSpan.FromSeconds(ushort.MaxValue)}, got {options.KeepAlive}");
        }

        CheckPositive(errors, $"{S}:ConnectTimeout", options.ConnectTimeout);
        CheckPositive(errors, $"{S}:PublishTimeout", options.PublishTimeout);
        CheckPositive(errors, $"{S}:ReconnectInitialDelay", options.ReconnectInitialDelay);
        CheckPositive(errors, $"{S}:StatsInterval", options.StatsInterval);
        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            errors.Add($"{S}:ReconnectMaxDelay must be at least Mqtt:ReconnectInitialDelay ({options.ReconnectInitialDelay}), got {options.ReconnectMaxDelay}");
        }

        var credentials = MqttCredentials.Load(options, credentialsDirectory, errors);
        if (options.Tls.Enabled && options.UsesEmbeddedBroker)
        {
            errors.Add($"{S}:Tls:Enabled needs Mqtt:Host: the embedded broker speaks plain MQTT on its own address");
        }
        else if (options.Tls.Enabled)
        {
            errors.AddRange(BrokerTls.Check(options.Tls));
        }

        // The CONNECT packet carries the session expiry as a four-byte number of seconds [MQTT-3.1.2.11.2].
        if (options.SessionExpiry < TimeSpan.Zero || options.SessionExpiry > TimeSpan.FromSeconds(uint.MaxValue))
        {
            errors.Add($"{S}:SessionExpiry must be from 00:00:00 (session ends with the connection) to {TimeSpan.FromSeconds(uint.MaxValue)}, got {options.SessionExpiry}");
        }

        if (options.PublishStallTimeout <= options.PublishTimeout)
        {
            errors.Add($"{S}:PublishStallTimeout must be longer than Mqtt:PublishTimeout ({options.PublishTimeout}), got {options.PublishStallTimeout}");
        }

        errors.AddRange(Outbox.OutboxOptionsValidator.Collect(options.Outbox, $"{S}:Outbox"));

        if (options.UsesEmbeddedBroker)
        {
            CheckPort(errors, $"{S}:Embedded:Port", options.Embedded.Port);
            if (!IPAddress.TryParse(options.Embedded.BindAddress, out var address))
            {
                errors.Add($"{S}:Embedded:BindAddress must be an IP address, got '{options.Embedded.BindAddress}'");
            }
            else if (!IPAddress.IsLoopback(address) && !credentials.IsComplete)
            {
                errors.Add(EmbeddedBroker.BeyondLoopbackWithoutCredentials(address));
            }
        }

        return errors;
    }

    private static void CheckPort(List<string> errors, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{key} must be from 1 to 65535, got {port}");
        }
    }

    private static void CheckPositive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be longer than zero, got {value}");
        }
    }

    private static void CheckTopicLevel(List<string> errors, string key, string? value)
    {
        if (MqttTopics.TopicLevelProblem(value) is { } problem)
        {
            errors.Add($"{key} {problem}");
        }
        else if (MqttTopics.Utf8Length(value!) > MaxTopicLevelBytes)
        {
            errors.Add($"{key} must be at most {MaxTopicLevelBytes} UTF-8 bytes, got {MqttTopics.Utf8Length(value!)}");
        }
    }
}
