using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// A small MQTT broker inside the agent for when no external one is configured, so a single device works out of
/// the box: it listens on loopback (127.0.0.1:1883 by default), keeps retained messages in memory, and refuses to
/// listen beyond loopback unless clients must present the configured user name and password.
/// </summary>
internal sealed class EmbeddedBroker : IHostedService, IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly ILogger<EmbeddedBroker> _logger;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>Starts listening, unless an external broker is configured (then it does nothing).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.UsesEmbeddedBroker)
        {
            return;
        }

        if (_server is not null)
        {
            throw new InvalidOperationException("The embedded broker has already been started.");
        }

        var embedded = _options.Embedded;
        if (!IPAddress.TryParse(embedded.BindAddress, out var address))
        {
            throw new UserFacingException($"Mqtt:Embedded:BindAddress must be an IP address, got '{embedded.BindAddress}'", 2);
        }

        var credentials = MqttCredentials.Load(_options);
        var requireCredentials = credentials.IsComplete;
        if (!IPAddress.IsLoopback(address) && !requireCredentials)
        {
            throw new UserFacingException(BeyondLoopbackWithoutCredentials(address), 2);
        }

        var factory = new MqttServerFactory();
        var builder = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(embedded.Port);

        // MQTTnet listens on both address families unless told otherwise; IPAddress.None switches one off, so a
        // loopback broker is not also reachable through [::].
        builder = address.AddressFamily == AddressFamily.InterNetworkV6
            ? builder.WithDefaultEndpointBoundIPV6Address(address).WithDefaultEndpointBoundIPAddress(IPAddress.None)
            : builder.WithDefaultEndpointBoundIPAddress(address).WithDefaultEndpointBoundIPV6Address(IPAddress.None);

        var server = factory.CreateMqttServer(builder.Build());
        var user = requireCredentials ? Encoding.UTF8.GetBytes(credentials.Username!) : null;
        var password = requireCredentials ? Encoding.UTF8.GetBytes(credentials.Password!) : null;
        server.ValidatingConnectionAsync += args =>
        {
            if (user is not null && password is not null)
            {
                var userMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(args.UserName ?? string.Empty), user);
                var passwordMatches = CryptographicOperations.FixedTimeEquals(args.RawPassword ?? [], password);
                if (!(userMatches && passwordMatches))
                {
                    args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                    MqttLog.EmbeddedBrokerRefused(_logger, args.ClientId);
                    return Task.CompletedTask;
                }
            }

            // MQTT 5 lets a client leave its id empty and have the server assign one [MQTT-3.1.3-6]; mosquitto_sub
            // does so, and MQTTnet refuses that unless an id is assigned here.
            if (string.IsNullOrEmpty(args.ClientId))
            {
                var assigned = "auto-" + Guid.NewGuid().ToString("N");
                args.AssignedClientIdentifier = assigned;
                AssignClientIdForMqtt311(args, assigned);
            }

            return Task.CompletedTask;
        };

        try
        {
            await server.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            server.Dispose();
            throw new UserFacingException(
                $"embedded MQTT broker cannot listen on {embedded.BindAddress}:{embedded.Port}: {ex.Message} " +
                "(set Mqtt:Embedded:Port to a free port, or Mqtt:Host to use the broker already there)", 1, ex);
        }

        _server = server;
        MqttLog.EmbeddedBrokerStarted(_logger, ClientAddress(embedded), embedded.Port, _options.TopicPrefix);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is null)
        {
            return;
        }

        try
        {
            await server.StopAsync(new MqttServerStopOptionsBuilder().Build()).WaitAsync(cancellationToken).ConfigureAwait(false);
            MqttLog.EmbeddedBrokerStopped(_logger);
        }
        finally
        {
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>The address a client on this machine uses to reach the embedded broker (loopback when it listens on "any").</summary>
    public static string ClientAddress(EmbeddedBrokerOptions embedded)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        if (!IPAddress.TryParse(embedded.BindAddress, out var address))
        {
            return embedded.BindAddress;
        }

        if (address.Equals(IPAddress.Any))
        {
            return IPAddress.Loopback.ToString();
        }

        return address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback.ToString() : address.ToString();
    }

    internal static string BeyondLoopbackWithoutCredentials(IPAddress address) =>
        $"Mqtt:Embedded:BindAddress {address} is not a loopback address; the embedded broker listens beyond this machine " +
        "only when a user name and a password are set (Mqtt:Username/Password, their files or systemd credentials; clients must then present them)";

    private static readonly System.Reflection.FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);

    /// <summary>
    /// MQTT 3.1.1 also lets a clean-session client send an empty id for the server to fill in [MQTT-3.1.3-6]
    /// — `mosquitto_sub -t …` without -V mqttv5 does — but MQTTnet 5.2 applies AssignedClientIdentifier to
    /// MQTT 5 clients only and refuses the rest. The CONNECT packet it validates is reachable only through a
    /// private field, so the id is written there; if a later MQTTnet renames the field, such clients are
    /// refused as before and nothing else changes.
    /// </summary>
    private static void AssignClientIdForMqtt311(ValidatingConnectionEventArgs args, string clientId)
    {
        if (args.ProtocolVersion != MQTTnet.Formatter.MqttProtocolVersion.V500 && args.CleanSession == true
            && ConnectPacketField?.GetValue(args) is MQTTnet.Packets.MqttConnectPacket packet)
        {
            packet.ClientId = clientId;
        }
    }
}
