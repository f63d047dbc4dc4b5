using System.Net;
using System.Text;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// Where and how the agent publishes (configuration section <c>Mqtt</c>). With no <see cref="Host"/> the agent
/// starts its own broker (<see cref="Embedded"/>) and publishes to that.
/// </summary>
internal sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>The IANA ports for MQTT over TCP and over TLS; <see cref="Port"/> defaults to the one that fits <see cref="Tls"/>.</summary>
    public const int PlainPort = 1883;
    public const int TlsPort = 8883;

    private int? _port;

    /// <summary>The external broker's host name or address; null or empty: no external broker, use the embedded one.</summary>
    public string? Host { get; set; }

    /// <summary>The external broker's port; when not set, 8883 with <see cref="MqttTlsOptions.Enabled"/> and 1883 without.</summary>
    public int Port
    {
        get => _port ?? (Tls.Enabled ? TlsPort : PlainPort);
        set => _port = value;
    }

    /// <summary>As configured; empty: <c>edgevision-&lt;DeviceId&gt;</c> (<see cref="EffectiveClientId"/>).</summary>
    /// <remarks>
    /// Kept apart from the default on purpose: the configuration binder reads a property and writes it back, so a
    /// getter that computed the default would pin it to the host name before <see cref="DeviceId"/> is bound.
    /// </remarks>
    public string? ClientId { get; set; }

    /// <summary>Stable across restarts so the broker recognises the device and keeps its session; unique per device.</summary>
    public string EffectiveClientId => string.IsNullOrEmpty(ClientId) ? "edgevision-" + DeviceId : ClientId;

    /// <summary>Sent to the broker only; never written to a log or an exception message. See <see cref="MqttCredentials"/> for the other sources.</summary>
    public string? Username { get; set; }

    /// <summary>Sent to the broker only; never written to a log or an exception message. See <see cref="MqttCredentials"/> for the other sources.</summary>
    public string? Password { get; set; }

    /// <summary>A file holding the user name (one trailing line break is ignored); an alternative to <see cref="Username"/>.</summary>
    public string? UsernameFile { get; set; }

    /// <summary>A file holding the password (one trailing line break is ignored); an alternative to <see cref="Password"/>.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>TLS to the external broker.</summary>
    public MqttTlsOptions Tls { get; set; } = new();

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

/// <summary>
/// TLS to the external broker (section <c>Mqtt:Tls</c>). The broker's chain must end at the certificate in
/// <see cref="CaFile"/> (or, without one, at a root the system trusts) and name the host the agent connects to.
/// </summary>
internal sealed class MqttTlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>PEM file with the CA certificate(s) the broker's certificate must chain to; empty: the system's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate, for brokers that require one (mosquitto's <c>require_certificate true</c>).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/> (unencrypted PKCS#8, PKCS#1 or SEC1).</summary>
    public string? ClientKeyFile { get; set; }
}

/// <summary>The broker the agent runs itself when no external one is configured.</summary>
internal sealed class EmbeddedBrokerOptions
{
    public int Port { get; set; } = MqttOptions.PlainPort;

    /// <summary>Loopback by default; any other address needs <see cref="MqttOptions.Username"/> and <see cref="MqttOptions.Password"/>.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";
}
