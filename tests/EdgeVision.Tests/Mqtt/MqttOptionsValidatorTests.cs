using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.Tests.Mqtt;

public sealed class MqttOptionsValidatorTests
{
    [Fact]
    public void Collect_Defaults_ReportsNothing()
    {
        Assert.Empty(MqttOptionsValidator.Collect(new MqttOptions()));
    }

    [Fact]
    public void Collect_SeveralBadKeys_ReportsEveryOneByKey()
    {
        var options = new MqttOptions
        {
            Port = 0,
            TopicPrefix = "edge/vision",
            DeviceId = "dev+1",
            ClientId = "a\0b",
            KeepAlive = TimeSpan.FromDays(1),
            ConnectTimeout = TimeSpan.Zero,
            ReconnectInitialDelay = TimeSpan.FromSeconds(5),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            StatsInterval = TimeSpan.FromSeconds(-1),
            Embedded = { Port = 70_000, BindAddress = "localhost" },
        };

        var errors = MqttOptionsValidator.Collect(options);

        Assert.Equal(
            [
                "Mqtt:Port must be from 1 to 65535, got 0",
                "Mqtt:TopicPrefix 'edge/vision' contains '/', which would split it into several topic levels",
                "Mqtt:DeviceId 'dev+1' contains the MQTT wildcard '+'",
                "Mqtt:ClientId must not contain NUL and must be at most 65535 UTF-8 bytes",
                "Mqtt:KeepAlive must be from 00:00:01 to 18:12:15, got 1.00:00:00",
                "Mqtt:ConnectTimeout must be longer than zero, got 00:00:00",
                "Mqtt:StatsInterval must be longer than zero, got -00:00:01",
                "Mqtt:ReconnectMaxDelay must be at least Mqtt:ReconnectInitialDelay (00:00:05), got 00:00:01",
                "Mqtt:Embedded:Port must be from 1 to 65535, got 70000",
                "Mqtt:Embedded:BindAddress must be an IP address, got 'localhost'",
            ],
            errors);
    }

    [Fact]
    public void Collect_EmbeddedBeyondLoopbackWithoutCredentials_ReportsBindAddress()
    {
        var options = new MqttOptions { Embedded = { BindAddress = "0.0.0.0" } };

        var errors = MqttOptionsValidator.Collect(options);

        Assert.Equal(
            ["Mqtt:Embedded:BindAddress 0.0.0.0 is not a loopback address; the embedded broker listens beyond this machine only when a user name and a password are set (Mqtt:Username/Password, their files or systemd credentials; clients must then present them)"],
            errors);
    }

    [Fact]
    public void Collect_EmbeddedBeyondLoopbackWithCredentials_ReportsNothing()
    {
        var options = new MqttOptions { Username = "agent", Password = "s3cret", Embedded = { BindAddress = "0.0.0.0" } };

        Assert.Empty(MqttOptionsValidator.Collect(options));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    public void Collect_KeepAliveOffOrUnderASecond_RefusedBecauseTheWillNeedsIt(string keepAlive)
    {
        var options = new MqttOptions { KeepAlive = TimeSpan.Parse(keepAlive, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal([$"Mqtt:KeepAlive must be from 00:00:01 to 18:12:15, got {options.KeepAlive}"], MqttOptionsValidator.Collect(options));
    }

    [Fact]
    public void Collect_ExternalHost_IgnoresEmbeddedKeys()
    {
        var options = new MqttOptions { Host = "broker.lan", Embedded = { Port = 0, BindAddress = "nowhere" } };

        Assert.Empty(MqttOptionsValidator.Collect(options));
    }

    [Fact]
    public void Validate_BadPrefixWithPassword_FailsWithoutShowingThePassword()
    {
        var options = new MqttOptions { TopicPrefix = "#", Username = "agent", Password = "pa55-Word" };

        var result = new MqttOptionsValidator().Validate(null, options);

        Assert.Equal(["Mqtt:TopicPrefix '#' contains the MQTT wildcard '#'"], result.Failures);
        Assert.DoesNotContain("pa55-Word", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientId_NotSet_IsEdgevisionDashDevice()
    {
        var options = new MqttOptions { DeviceId = "gate-2" };

        Assert.Equal("edgevision-gate-2", options.EffectiveClientId);
    }

    [Fact]
    public void ClientId_BoundFromConfigurationWithDeviceId_FollowsTheConfiguredDevice()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Mqtt:DeviceId", "pole-17")]).Build();

        var options = configuration.GetSection("Mqtt").Get<MqttOptions>()!;

        Assert.Equal("edgevision-pole-17", options.EffectiveClientId);
    }

    [Theory]
    [InlineData("Edge Box_01.local", "edge-box_01-local")]
    [InlineData("...", "device")]
    public void SanitizeDeviceId_HostName_KeepsOnlyTopicSafeCharacters(string hostName, string expected)
    {
        Assert.Equal(expected, MqttOptions.SanitizeDeviceId(hostName));
    }

    [Fact]
    public void Collect_BadSessionStallAndOutboxKeys_ReportsEveryOneByKey()
    {
        var options = new MqttOptions
        {
            SessionExpiry = TimeSpan.FromSeconds(-1),
            PublishTimeout = TimeSpan.FromSeconds(5),
            PublishStallTimeout = TimeSpan.FromSeconds(5),
            Outbox = { MaxBytes = 64, MaxAge = TimeSpan.FromMilliseconds(500), MaxInFlight = 0, Directory = "a\0b" },
        };

        var errors = MqttOptionsValidator.Collect(options);

        Assert.Equal(
            [
                "Mqtt:SessionExpiry must be from 00:00:00 (session ends with the connection) to 49710.06:28:15, got -00:00:01",
                "Mqtt:PublishStallTimeout must be longer than Mqtt:PublishTimeout (00:00:05), got 00:00:05",
                "Mqtt:Outbox:MaxBytes must be at least 65536 bytes, got 64",
                "Mqtt:Outbox:MaxAge must be at least 00:00:01 (MQTT message expiry counts whole seconds), got 00:00:00.5000000",
                "Mqtt:Outbox:MaxInFlight must be between 1 and 65535, got 0",
                "Mqtt:Outbox:Directory must not contain NUL",
            ],
            errors);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(65535, true)]
    [InlineData(-1, false)]
    [InlineData(65536, false)]
    public void Collect_OutboxMaxInFlight_AcceptsOneTo65535(int maxInFlight, bool valid)
    {
        var options = new MqttOptions { Outbox = { MaxInFlight = maxInFlight } };

        var errors = MqttOptionsValidator.Collect(options);

        Assert.Equal(valid ? [] : [$"Mqtt:Outbox:MaxInFlight must be between 1 and 65535, got {maxInFlight}"], errors);
    }
}
