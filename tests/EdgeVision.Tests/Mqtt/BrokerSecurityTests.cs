using System.Diagnostics;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Tests.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.Tests.Mqtt;

/// <summary>
/// The agent's MQTT client against a real mosquitto with TLS (certificates made by openssl for each test) and with a
/// password file made by mosquitto_passwd; a mosquitto_sub with the right CA or password confirms what got through.
/// </summary>
public sealed class BrokerSecurityTests : IDisposable
{
    private const string Secret = "s3cret.Pa55@word%";

    private readonly RecordingLoggerFactory _logs = new();
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly TemporaryDirectory _directory = new();

    public void Dispose()
    {
        _certificates.Dispose();
        _directory.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task Connect_TlsWithTheBrokersCa_GoesOnlineAndMosquittoSubSeesIt()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: _certificates.ListenerConfig());
        var options = TlsOptions(broker.Port, "dev-tls", _certificates.CaFile);
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/dev-tls/#", "--cafile", _certificates.CaFile);

        await using var publisher = await StartOnlineAsync(options);
        var status = await subscriber.WaitForTopicAsync("edgevision/dev-tls/status");

        Assert.Equal("online", status.Payload);
        Assert.DoesNotContain(_logs.Logger.Entries, e => e.Message.Contains("not trusted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_TlsWithAnotherCa_RefusedWithOneReasonAndRetried()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: _certificates.ListenerConfig());
        await using var publisher = new MqttPublisher(Options.Create(TlsOptions(broker.Port, "dev-wrong-ca", _certificates.OtherCaFile)), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith($"MQTT broker 127.0.0.1:{broker.Port} not reachable", StringComparison.Ordinal), count: 3);

        var rejections = _logs.Logger.Entries.Where(e => e.Message.StartsWith("MQTT broker 127.0.0.1 not trusted over TLS", StringComparison.Ordinal)).ToList();
        var rejection = Assert.Single(rejections);
        Assert.Equal(LogLevel.Warning, rejection.Level);
        Assert.Equal(
            $"MQTT broker 127.0.0.1 not trusted over TLS: its certificate (CN=localhost, issued by CN=EdgeVision Test CA) does not chain to the CA in Mqtt:Tls:CaFile {_certificates.OtherCaFile}: UntrustedRoot",
            rejection.Message);
        Assert.False(publisher.Counters.Connected);
    }

    [Fact]
    public async Task Connect_TlsWithoutCaFile_SystemStoreDoesNotTrustThePrivateCa()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: _certificates.ListenerConfig());
        await using var publisher = new MqttPublisher(Options.Create(TlsOptions(broker.Port, "dev-system-store", caFile: null)), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith("MQTT broker 127.0.0.1 not trusted over TLS", StringComparison.Ordinal), count: 1);

        Assert.Contains(
            _logs.Logger.Entries,
            e => e.Message.StartsWith("MQTT broker 127.0.0.1 not trusted over TLS: its certificate (CN=localhost) does not chain to a CA this system trusts: ", StringComparison.Ordinal));
        Assert.False(publisher.Counters.Connected);
    }

    [Fact]
    public async Task Connect_TlsCertificateForAnotherHost_RefusedForTheName()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: _certificates.ListenerConfig(wrongName: true));
        await using var publisher = new MqttPublisher(Options.Create(TlsOptions(broker.Port, "dev-wrong-name", _certificates.CaFile)), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith("MQTT broker 127.0.0.1 not trusted over TLS", StringComparison.Ordinal), count: 1);

        Assert.Contains(
            (LogLevel.Warning, "MQTT broker 127.0.0.1 not trusted over TLS: its certificate (CN=elsewhere.example) is not issued for 127.0.0.1"),
            _logs.Logger.Entries);
        Assert.False(publisher.Counters.Connected);
    }

    [Fact]
    public async Task Connect_ClientCertificateRequiredAndSupplied_GoesOnline()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: _certificates.ListenerConfig(requireClientCertificate: true));
        var options = TlsOptions(broker.Port, "dev-client-cert", _certificates.CaFile);
        options.Tls.ClientCertificateFile = _certificates.ClientCertificateFile;
        options.Tls.ClientKeyFile = _certificates.ClientKeyFile;
        await using var subscriber = await MosquittoSubscriber.StartAsync(
            broker.Port, "edgevision/dev-client-cert/#", "--cafile", _certificates.CaFile, "--cert", _certificates.ClientCertificateFile, "--key", _certificates.ClientKeyFile);

        await using var publisher = await StartOnlineAsync(options);

        Assert.Equal("online", (await subscriber.WaitForTopicAsync("edgevision/dev-client-cert/status")).Payload);
    }

    [Fact]
    public async Task Connect_ClientCertificateRequiredButNotSupplied_NeverOnline()
    {
        await using var broker = await MosquittoBroker.StartAsync(extraConfig: _certificates.ListenerConfig(requireClientCertificate: true));
        await using var publisher = new MqttPublisher(Options.Create(TlsOptions(broker.Port, "dev-no-client-cert", _certificates.CaFile)), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith($"MQTT broker 127.0.0.1:{broker.Port} not reachable", StringComparison.Ordinal), count: 2);

        Assert.False(publisher.Counters.Connected);
        Assert.DoesNotContain(_logs.Logger.Entries, e => e.Message.Contains("is online", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_WrongPassword_RefusedWithTheReasonAndThePasswordNeverLogged()
    {
        await using var broker = await PasswordBrokerAsync("agent", Secret);
        var options = MqttTestSupport.OptionsFor(broker.Port, "dev-wrong-password");
        options.Username = "agent";
        options.Password = "not-" + Secret;
        await using var publisher = new MqttPublisher(Options.Create(options), _logs);

        await publisher.StartAsync(CancellationToken.None);
        await _logs.WaitForEntriesAsync(e => e.Message.StartsWith($"MQTT broker 127.0.0.1:{broker.Port} refused the connection:", StringComparison.Ordinal), count: 2);

        var refusal = _logs.Logger.Entries.First(e => e.Message.Contains("refused the connection", StringComparison.Ordinal)).Message;
        // Debian 12's mosquitto answers a wrong password with NotAuthorized (0x87), not BadUserNameOrPassword.
        Assert.Contains("refused the connection: NotAuthorized; retrying in ", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Logger.Entries, e => e.Message.Contains("Pa55", StringComparison.Ordinal));
        Assert.False(publisher.Counters.Connected);
    }

    [Fact]
    public async Task Connect_PasswordFromFile_GoesOnline()
    {
        await using var broker = await PasswordBrokerAsync("agent", Secret);
        var passwordFile = _directory.Combine("mqtt-password");
        await File.WriteAllTextAsync(passwordFile, Secret + "\n");
        var options = MqttTestSupport.OptionsFor(broker.Port, "dev-password-file");
        options.Username = "agent";
        options.PasswordFile = passwordFile;
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "edgevision/dev-password-file/#", "-u", "agent", "-P", Secret);

        await using var publisher = await StartOnlineAsync(options);

        Assert.Equal("online", (await subscriber.WaitForTopicAsync("edgevision/dev-password-file/status")).Payload);
        Assert.DoesNotContain(_logs.Logger.Entries, e => e.Message.Contains("Pa55", StringComparison.Ordinal));
    }

    /// <summary>A mosquitto that admits only <paramref name="user"/> with <paramref name="password"/> (a file from mosquitto_passwd).</summary>
    internal static async Task<MosquittoBroker> PasswordBrokerAsync(string user, string password, string extraConfig = "")
    {
        var passwords = new TemporaryDirectory();
        try
        {
            TestCertificates.ShareWithBroker(passwords.Path);
            var file = passwords.Combine("passwd");
            using (var process = Process.Start("/usr/bin/mosquitto_passwd", ["-c", "-b", file, user, password]))
            {
                Assert.True(process.WaitForExit(MosquittoBroker.StartBound), "mosquitto_passwd did not finish");
                Assert.Equal(0, process.ExitCode);
            }

            TestCertificates.ShareWithBroker(file);

            // The broker copies nothing: it reads the file at start, so the folder can go once it accepts connections.
            return await MosquittoBroker.StartAsync(extraConfig: $"allow_anonymous false\npassword_file {file}\n{extraConfig}");
        }
        finally
        {
            passwords.Dispose();
        }
    }

    private Task<MqttPublisher> StartOnlineAsync(MqttOptions options) => MqttTestSupport.StartOnlineAsync(options, _logs);

    private static MqttOptions TlsOptions(int port, string device, string? caFile)
    {
        var options = MqttTestSupport.OptionsFor(port, device);
        options.Tls.Enabled = true;
        options.Tls.CaFile = caFile;
        return options;
    }
}
