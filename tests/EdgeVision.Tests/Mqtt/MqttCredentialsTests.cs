using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Tests.Models;

namespace EdgeVision.Tests.Mqtt;

/// <summary>Where the user name and password come from, in which order, and what a bad source reports (never the secret).</summary>
public sealed class MqttCredentialsTests : IDisposable
{
    private const string Secret = "pa.ss@w%rd";

    private readonly TemporaryDirectory _directory = new();
    private readonly List<string> _errors = [];

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Load_ValueSet_WinsOverSystemdCredential()
    {
        var systemd = SystemdCredentials(("mqtt-username", "from-systemd"), ("mqtt-password", "from-systemd"));

        var credentials = MqttCredentials.Load(new MqttOptions { Username = "agent", Password = Secret }, systemd, _errors);

        Assert.Equal(("agent", Secret), (credentials.Username, credentials.Password));
        Assert.Empty(_errors);
    }

    [Fact]
    public void Load_FilesSet_ReadWithoutTheirTrailingLineBreakAndWinOverSystemdCredential()
    {
        var systemd = SystemdCredentials(("mqtt-password", "from-systemd"));
        var options = new MqttOptions { UsernameFile = Write("user", "agent\r\n"), PasswordFile = Write("password", Secret + "\n") };

        var credentials = MqttCredentials.Load(options, systemd, _errors);

        Assert.Equal(("agent", Secret), (credentials.Username, credentials.Password));
        Assert.Empty(_errors);
    }

    [Fact]
    public void Load_NothingConfigured_TakesSystemdCredentials()
    {
        var systemd = SystemdCredentials(("mqtt-username", "agent\n"), ("mqtt-password", Secret));

        var credentials = MqttCredentials.Load(new MqttOptions(), systemd, _errors);

        Assert.Equal(("agent", Secret, true), (credentials.Username, credentials.Password, credentials.IsComplete));
        Assert.Empty(_errors);
    }

    [Fact]
    public void Load_NoSourceAtAll_HasNoCredentials()
    {
        var credentials = MqttCredentials.Load(new MqttOptions(), credentialsDirectory: null, _errors);

        Assert.Equal((null, null, false), (credentials.Username, credentials.Password, credentials.IsComplete));
        Assert.Empty(_errors);
    }

    [Fact]
    public void Load_ValueAndFileBothSet_RefusedWithoutTheSecret()
    {
        MqttCredentials.Load(new MqttOptions { Password = Secret, PasswordFile = Write("password", Secret) }, null, _errors);

        Assert.Equal(["Mqtt:Password and Mqtt:PasswordFile are both set; keep one"], _errors);
    }

    [Fact]
    public void Load_BadFiles_OneLineEachNamingKeyAndPathNeverTheContent()
    {
        var missing = _directory.Combine("missing");
        var empty = Write("empty", "\n");
        var notText = _directory.Combine("binary");
        File.WriteAllBytes(notText, [0xff, 0xfe, 0x00, 0xc3]);
        var huge = Write("huge", new string('x', 70_000));

        MqttCredentials.Load(new MqttOptions { UsernameFile = missing, PasswordFile = empty }, null, _errors);
        MqttCredentials.Load(new MqttOptions { UsernameFile = notText, PasswordFile = huge }, null, _errors);

        Assert.Equal(4, _errors.Count);
        Assert.StartsWith($"Mqtt:UsernameFile: cannot read {missing}: ", _errors[0], StringComparison.Ordinal);
        Assert.Equal($"Mqtt:PasswordFile: {empty} is empty", _errors[1]);
        Assert.Equal($"Mqtt:UsernameFile: {notText} is not UTF-8 text", _errors[2]);
        Assert.Equal($"Mqtt:PasswordFile: {huge} holds more than 65535 bytes", _errors[3]);
        Assert.All(_errors, e => Assert.DoesNotContain('\n', e));
    }

    [Fact]
    public void Load_UserNameWithNul_Refused()
    {
        MqttCredentials.Load(new MqttOptions { Username = "ag\0ent", Password = Secret }, null, _errors);

        Assert.Equal(["Mqtt:Username must not contain NUL"], _errors);
    }

    [Fact]
    public void Collect_UnreadablePasswordFileAndTlsFiles_EveryProblemNamedWithoutSecrets()
    {
        var options = new MqttOptions
        {
            Host = "broker.example",
            Username = "agent",
            PasswordFile = _directory.Combine("nope"),
            Tls = { Enabled = true, CaFile = Write("ca.pem", "not a certificate"), ClientCertificateFile = Write("client.pem", "x") },
        };

        var errors = MqttOptionsValidator.Collect(options, credentialsDirectory: null);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Mqtt:PasswordFile: cannot read ", errors[0], StringComparison.Ordinal);
        Assert.Equal($"Mqtt:Tls:CaFile: {_directory.Combine("ca.pem")} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", errors[1]);
        Assert.Equal("Mqtt:Tls:ClientCertificateFile and Mqtt:Tls:ClientKeyFile go together; set both or neither", errors[2]);
    }

    [Fact]
    public void Collect_TlsForTheEmbeddedBroker_Refused()
    {
        var errors = MqttOptionsValidator.Collect(new MqttOptions { Tls = { Enabled = true } }, credentialsDirectory: null);

        Assert.Equal(["Mqtt:Tls:Enabled needs Mqtt:Host: the embedded broker speaks plain MQTT on its own address"], errors);
    }

    [Fact]
    public void Collect_ClientKeyNotMatchingCertificate_RefusedNamingBothFiles()
    {
        using var certificates = TestCertificates.Create();
        var options = new MqttOptions
        {
            Host = "broker.example",
            Tls = { Enabled = true, CaFile = certificates.CaFile, ClientCertificateFile = certificates.ClientCertificateFile, ClientKeyFile = certificates.ServerKeyFile },
        };

        var error = Assert.Single(MqttOptionsValidator.Collect(options, credentialsDirectory: null));

        Assert.StartsWith($"Mqtt:Tls:ClientCertificateFile/ClientKeyFile: cannot load {certificates.ClientCertificateFile} with the key {certificates.ServerKeyFile}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Port_NotSet_FollowsTls()
    {
        var plain = new MqttOptions();
        var tls = new MqttOptions { Tls = { Enabled = true } };
        var chosen = new MqttOptions { Tls = { Enabled = true }, Port = 18883 };

        Assert.Equal((1883, 8883, 18883), (plain.Port, tls.Port, chosen.Port));
    }

    private string Write(string name, string content)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }

    private string SystemdCredentials(params (string Name, string Content)[] credentials)
    {
        var directory = _directory.Combine("credentials");
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in credentials)
        {
            File.WriteAllText(Path.Combine(directory, name), content);
        }

        return directory;
    }
}
