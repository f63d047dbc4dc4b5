using System.Net;
using System.Text;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// Where and how the agent publishes (configuration section <c>Mqtt</c>). With no <see cref="Host"/> the agent
/// starts its own broker (<see cref="Embedded"/>) and publishes to that.
/// </summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>The external broker's host name or address; null or empty: no external broker, use the embedded one.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 1883;

    /// <summary>As configured; empty: <c>edgevision-&lt;DeviceId&gt;</c> (<see cref="EffectiveClientId"/>).</summary>
    /// <remarks>
    /// Kept apart from the default on purpose: the configuration binder reads a property and writes it back, so a
    /// getter that computed the default would pin it to the host name before <see cref="DeviceId"/> is bound.
    /// </remarks>
    public string? ClientId { get; set; }

    /// <summary>Stable across restarts so the broker recognises the device and keeps its session; unique per device.</summary>
    public string EffectiveClientId => string.IsNullOrEmpty(ClientId) ? "edgevision-" + DeviceId : ClientId;

    /// <summary>Sent to the broker only; never written to a log or an exception message.</summary>
    public string? Username { get; set; }

    /// <summary>Sent to the broker only; never written to a log or an exception message.</summary>
    public string? Password { get; set; }

    /// <summary>First level of every topic: <c>&lt;TopicPrefix&gt;/&lt;DeviceId&gt;/...</c>.</summary>
    public string TopicPrefix { get; set; } = "edgevision";

    /// <summary>Second level of every topic; defaults to the host name, lower-cased, with anything outside [a-z0-9_-] turned into '-'.</summary>
    public string DeviceId { get; set; } = DefaultDeviceId();

    /// <summary>MQTT keep alive; the broker drops the connection (and sends the will) after 1.5 times this without traffic.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one connection attempt (TCP and CONNACK) may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one publish may take (the socket write for QoS 0, the PUBACK for QoS 1).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait before reconnecting; doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the stats topic is published.</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the broker keeps the session after a disconnect (MQTT 5 session expiry; the agent connects with clean start false).</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// With messages waiting and the client connected, no publish completing for this long means the connection is
    /// dead without knowing it (a hung broker keeps its socket open); the agent then reconnects.
    /// </summary>
    public TimeSpan PublishStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The durable outbox that holds events, captions, summaries and counts until the broker acknowledges them.</summary>
    public Outbox.OutboxOptions Outbox { get; set; } = new();

    public EmbeddedBrokerOptions Embedded { get; set; } = new();

    /// <summary>True when no external broker is configured and the agent runs <see cref="EmbeddedBroker"/>.</summary>
    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(Host);

    /// <summary>The host name, made fit for a topic level: lower case, [a-z0-9_-] only, never empty.</summary>
    public static string DefaultDeviceId() => SanitizeDeviceId(Dns.GetHostName());

    public static string SanitizeDeviceId(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' ? c : '-');
        }

        var id = builder.ToString().Trim('-');
        return id.Length == 0 ? "device" : id;
    }
}

/// <summary>The broker the agent runs itself when no external one is configured.</summary>
public sealed class EmbeddedBrokerOptions
{
    public int Port { get; set; } = 1883;

    /// <summary>Loopback by default; any other address needs <see cref="MqttOptions.Username"/> and <see cref="MqttOptions.Password"/>.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";
}
