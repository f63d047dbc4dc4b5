using System.Text;
using EdgeVision.EdgeAgent;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Tests.Models;
using EdgeVision.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.Tests.Agent;

/// <summary>
/// The configuration check fed hostile values — NUL, MQTT wildcards, 65 536-byte strings, numbers beyond every type,
/// negative durations, wrong shapes, files that are not configuration — in-process and through the real command.
/// Every outcome is either valid or a list of one-line errors naming a key; nothing throws, nothing hangs.
/// </summary>
public sealed class ConfigurationFuzzTests : IDisposable
{
    /// <summary>A hang guard only: one check takes milliseconds.</summary>
    private static readonly TimeSpan CheckBound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(90);

    private static readonly string LongText = new('a', 65_536);

    private static readonly string[] Keys =
    [
        "Mqtt:Host", "Mqtt:Port", "Mqtt:TopicPrefix", "Mqtt:DeviceId", "Mqtt:ClientId", "Mqtt:Username", "Mqtt:Password",
        "Mqtt:PasswordFile", "Mqtt:UsernameFile", "Mqtt:KeepAlive", "Mqtt:ConnectTimeout", "Mqtt:PublishTimeout",
        "Mqtt:ReconnectInitialDelay", "Mqtt:ReconnectMaxDelay", "Mqtt:StatsInterval", "Mqtt:Embedded:Port",
        "Mqtt:Embedded:BindAddress", "Mqtt:Tls:Enabled", "Mqtt:Tls:CaFile", "Mqtt:Tls:ClientCertificateFile", "Mqtt:Tls:ClientKeyFile",
        "Mqtt:Tls", "Mqtt:Embedded", "Http:Enabled", "Http:Url", "Http", "Http:LiveMaxFps", "Store:Enabled", "Store:Path", "Store:MaxAge", "Store:MaxBytes", "Store:CountInterval", "Store",
        "Http:Password", "Http:PasswordFile", "Http:Token", "Http:TokenFile", "Http:Username", "Http:Tls:CertificateFile", "Http:Tls:KeyFile",
        "Http:AuthFailuresPerMinute", "Http:StreamsPerClient", "HomeAssistant:Discovery", "HomeAssistant:Prefix", "HomeAssistant:Labels:0",
        "HomeAssistant", "EdgeVision:ModelDirectory",
        "EdgeVision:Model", "EdgeVision:SnapshotArchiveBytes", "EdgeVision:ConsoleSummaryInterval", "EdgeVision:SnapshotDirectory",
        "EdgeVision:Detector:ScoreThreshold", "EdgeVision:Detector:NmsIouThreshold", "EdgeVision:Detector:MaxDetections",
        "EdgeVision:Detector:IntraOpThreads", "EdgeVision:Detector:ExecutionProviders:0", "EdgeVision:Detector:ClassScoreThresholds:person",
        "EdgeVision:Pipeline:CaptureQueueCapacity", "EdgeVision:Pipeline:MaxBatchSize", "EdgeVision:Pipeline:MaxBatchWait",
        "EdgeVision:Pipeline:InferredQueueCapacity", "EdgeVision:Pipeline:DrainTimeout", "EdgeVision:Pipeline:PreprocessedQueueCapacity",
        "EdgeVision:Cameras:0:Name", "EdgeVision:Cameras:0:Source", "EdgeVision:Cameras:0:DetectFps", "EdgeVision:Cameras:0:PaceFps",
        "EdgeVision:Cameras:0:Loop", "EdgeVision:Cameras:0:CaptureNice", "EdgeVision:Cameras:0:OpenTimeout",
        "EdgeVision:Cameras:0:ReconnectInitialDelay", "EdgeVision:Cameras:0:Analytics:Mode", "EdgeVision:Cameras:0:Analytics:SummaryInterval",
        "EdgeVision:Cameras:0:Analytics:Zones:0:Name", "EdgeVision:Cameras:0:Analytics:Zones:0:Points:0:0",
        "EdgeVision:Cameras:0:Analytics:Lines:0:Name", "EdgeVision:Cameras:1:Name", "EdgeVision:Cameras:1:Source",
        "EdgeVision:Cameras:0:Motion:Enabled", "EdgeVision:Cameras:0:Motion:FrameHeight", "EdgeVision:Cameras:0:Motion:Threshold",
        "EdgeVision:Cameras:0:Motion:MinArea", "EdgeVision:Cameras:0:Motion:BackgroundTime", "EdgeVision:Cameras:0:Motion:GlobalChangeShare",
        "EdgeVision:Cameras:0:Motion:KeepAliveInterval", "EdgeVision:Cameras:0:Motion:Regions", "EdgeVision:Cameras:0:Motion:MinRegionScale",
        "EdgeVision:Cameras:0:Motion:Masks:0:Points:0:0", "EdgeVision:Cameras:0:Motion:Masks:0:Normalized", "EdgeVision:Cameras:0:Motion:Masks",
        "EdgeVision:Cameras:0:Motion", "EdgeVision:Detector:NmsLabelGroups:0:0", "EdgeVision:Detector:NmsLabelGroups:0",
        "EdgeVision:Cameras:0:Analytics:Filters:person:MinRatio", "EdgeVision:Cameras:0:Analytics:Filters:person:MaxArea",
        "EdgeVision:Cameras:0:Analytics:Filters:person:Masks:0:Points:0:0", "EdgeVision:Cameras:0:Analytics:Filters:person",
        "EdgeVision:Cameras:0:Analytics:Filters:unicorn:MinScore",
        "EdgeVision:Cameras", "EdgeVision:Detector", "EdgeVision:Cameras:0",
    ];

    private static readonly string[] Values =
    [
        "\0", "a\0b", "+", "#", "a/+/b", "x#", LongText, "1e309", "-1e309", "99999999999999999999", "-99999999999999999999",
        "-1", "0", "2147483648", "-2147483649", "NaN", "Infinity", "-00:00:01", "10675199.02:48:05.4775808", "99999999.00:00:00",
        "00:00:00", "", " ", "\t\n", "true", "yes", "ü€😀", "../../../../etc/shadow", "/dev/zero", "/dev/null", "/",
        "rtsp://user:p%40ss@127.0.0.1:1/x", "0.0.0.0", "::", "not an address", "{}", "[]", "null", "\u202e", "%00", "'", "\"",
    ];

    private readonly TemporaryDirectory _directory = new();
    private readonly AgentPaths _paths = new(RepositoryPaths.Root);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Collect_ShippedConfiguration_IsValid()
    {
        Assert.Empty(Check(new Dictionary<string, string?>()));
    }

    [Fact]
    public void Collect_SampleWithFiltersExample_IsValid()
    {
        var configuration = new ConfigurationManager();
        ConfigurationFile.Add(configuration, Path.Combine(RepositoryPaths.Root, "config", "examples", "sample-with-filters.json"));

        Assert.Empty(ConfigurationCheck.Collect(configuration, _paths));
    }

    [Theory]
    [InlineData("Mqtt:TopicPrefix", "a\0b", "Mqtt:TopicPrefix")]
    [InlineData("Mqtt:TopicPrefix", "alerts/+", "Mqtt:TopicPrefix")]
    [InlineData("Mqtt:DeviceId", "pole#17", "Mqtt:DeviceId")]
    [InlineData("Mqtt:ClientId", "a\0b", "Mqtt:ClientId")]
    [InlineData("Mqtt:Port", "1e309", "Mqtt:Port")]
    [InlineData("Mqtt:Port", "99999999999999999999", "Mqtt:Port")]
    [InlineData("Mqtt:Port", "-1", "Mqtt:Port")]
    [InlineData("Mqtt:KeepAlive", "99999999999999999999", "Mqtt:KeepAlive")]
    [InlineData("Mqtt:KeepAlive", "-00:00:01", "Mqtt:KeepAlive")]
    [InlineData("Mqtt:ConnectTimeout", "10675199.02:48:05.4775808", "Mqtt:ConnectTimeout")]
    [InlineData("EdgeVision:SnapshotArchiveBytes", "99999999999999999999", "EdgeVision:SnapshotArchiveBytes")]
    [InlineData("EdgeVision:SnapshotArchiveBytes", "-1", "EdgeVision:SnapshotArchiveBytes")]
    [InlineData("EdgeVision:Cameras:0:DetectFps", "1e309", "EdgeVision:Cameras:0")]
    [InlineData("EdgeVision:Cameras:0:Name", "a+b", "EdgeVision:Cameras:0:Name")]
    [InlineData("EdgeVision:Cameras:0:Source", "rtsp:/user:secret@10.0.0.1/x", "EdgeVision:Cameras:0:Source")]
    [InlineData("EdgeVision:Cameras:0:Source", "bad\0path.mp4", "EdgeVision:Cameras:0:Source")]
    [InlineData("Mqtt:PasswordFile", "/dev/zero", "Mqtt:PasswordFile")]
    [InlineData("Mqtt:PasswordFile", "bad\0path", "Mqtt:PasswordFile")]
    [InlineData("Mqtt:Tls", "yes", "Mqtt:Tls")]
    [InlineData("EdgeVision:Cameras", "none", "EdgeVision:Cameras")]
    [InlineData("Mqtt:Port:a", "1", "Mqtt:Port")]
    [InlineData("EdgeVision:Detector:NmsLabelGroups:1", "", "EdgeVision:Detector:NmsLabelGroups:1: empty (null in the file) where a list item is expected")]
    [InlineData("EdgeVision:Detector:NmsLabelGroups:1:0", "truck", "EdgeVision:Detector:NmsLabelGroups:1: a group needs at least 2 labels, found 1")]
    [InlineData("EdgeVision:Cameras:0:Analytics:Filters:person:MaxRatio", "-1", "EdgeVision:Cameras:0:Analytics:Filters:person:MaxRatio")]
    [InlineData("EdgeVision:Cameras:0:Analytics:Filters:person:Masks:0:Points:0:0", "5", "EdgeVision:Cameras:0:Analytics:Filters:person:Masks:0:Points: a mask needs at least 3 points, found 1")]
    public void Collect_BoundaryValue_OneLineErrorNamingTheKey(string key, string value, string named)
    {
        var errors = Check(new Dictionary<string, string?> { [key] = value });

        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal));
        AssertPrintable(errors);
        Assert.DoesNotContain(errors, e => e.Contains("secret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Mqtt:TopicPrefix")]
    [InlineData("Mqtt:DeviceId")]
    [InlineData("EdgeVision:Cameras:0:Name")]
    public void Collect_TopicLevelOf65536Bytes_RefusedNamingTheKey(string key)
    {
        var errors = Check(new Dictionary<string, string?> { [key] = LongText });

        Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        AssertPrintable(errors);
    }

    [Fact]
    public void Collect_SeededRandomValues_ValidOrOneLineErrorsNamingAKey()
    {
        var random = new Random(20261126);
        for (var round = 0; round < 300; round++)
        {
            var overrides = new Dictionary<string, string?>();
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                overrides[Keys[random.Next(Keys.Length)]] = Mutate(random, Values[random.Next(Values.Length)]);
            }

            // Every other round also carries a recognisable password, which no error may repeat.
            var password = round % 2 == 0 ? $"pw-{round}-Zq9" : null;
            if (password is not null)
            {
                overrides["Mqtt:Password"] = password;
            }

            IReadOnlyList<string> errors;
            try
            {
                errors = Check(overrides);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"round {round} ({Describe(overrides)}) threw", ex);
            }

            AssertPrintable(errors);
            Assert.DoesNotContain(errors, e => password is not null && e.Contains(password, StringComparison.Ordinal));
            foreach (var error in errors)
            {
                Assert.True(
                    error.StartsWith("EdgeVision", StringComparison.Ordinal) || error.StartsWith("Mqtt", StringComparison.Ordinal) || error.StartsWith("Http", StringComparison.Ordinal) || error.StartsWith("Store", StringComparison.Ordinal) || error.StartsWith("HomeAssistant", StringComparison.Ordinal),
                    $"round {round} ({Describe(overrides)}): '{error}' names no key");
            }
        }
    }

    [Theory]
    [InlineData("deep", "The maximum configured depth of 64 has been exceeded")]
    [InlineData("empty", "The input does not contain any JSON tokens")]
    [InlineData("truncated", "There is an open JSON object or array that should be closed")]
    [InlineData("array", "Top-level JSON element must be an object")]
    [InlineData("raw-nul", "'0x00' is invalid within a JSON string")]
    public void Add_FileThatIsNotConfiguration_OneLineUserErrorWithExitTwo(string name, string reason)
    {
        var path = WriteConfig(name);

        var error = Assert.Throws<UserFacingException>(() => ConfigurationFile.Add(new ConfigurationManager(), path));

        Assert.Equal(2, error.ExitCode);
        Assert.StartsWith($"invalid configuration file {path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("deep", "The maximum configured depth of 64 has been exceeded")]
    [InlineData("empty", "The input does not contain any JSON tokens")]
    [InlineData("escaped-nul", "Mqtt:TopicPrefix")]
    [InlineData("huge-numbers", "Mqtt: Failed to convert configuration value '1e309' at 'Mqtt:Port'")]
    [InlineData("wrong-types", "Mqtt:Tls: expects a section of settings, not a single value")]
    public void Run_HostileConfigurationFile_ExitsTwoWithOneLineAndNoStackTrace(string name, string expected)
    {
        var path = WriteConfig(name);
        using var agent = AgentProcess.Start("run", "--config", path);

        Assert.Equal(2, agent.WaitForExit(ProcessBound));
        var output = agent.Output;
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.StartsWith("error: invalid configuration", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    private IReadOnlyList<string> Check(Dictionary<string, string?> overrides)
    {
        var configuration = new ConfigurationManager();
        ConfigurationFile.Add(configuration, _paths.DefaultConfig);
        configuration.AddInMemoryCollection(overrides);
        var check = Task.Run(() => ConfigurationCheck.Collect(configuration, _paths));
        Assert.True(check.Wait(CheckBound), $"the check of {Describe(overrides)} did not finish within {CheckBound}");
        return check.Result;
    }

    private static void AssertPrintable(IReadOnlyList<string> errors)
    {
        foreach (var printed in errors.Select(ConfigurationCheck.Printable))
        {
            Assert.DoesNotContain(printed, char.IsControl);
        }
    }

    /// <summary>Sometimes the value as it is, sometimes repeated, wrapped or cut, so combinations reach further.</summary>
    private static string Mutate(Random random, string value) => random.Next(5) switch
    {
        0 => value + value,
        1 => "x" + value,
        2 => value.Length > 1 ? value[..random.Next(1, value.Length)] : value,
        _ => value,
    };

    private static string Describe(Dictionary<string, string?> overrides) =>
        string.Join(", ", overrides.Select(o => $"{o.Key}={Shorten(o.Value)}"));

    private static string Shorten(string? value) =>
        value is null ? "null" : value.Length > 40 ? $"{value[..20]}…({value.Length} chars)" : value.Replace("\0", "\\0", StringComparison.Ordinal);

    private string WriteConfig(string name)
    {
        var path = _directory.Combine(name + ".json");
        var content = name switch
        {
            "deep" => string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000),
            "empty" => string.Empty,
            "truncated" => "{\"Mqtt\": {\"Host\": ",
            "array" => "[1, 2, 3]",
            "raw-nul" => "{\"Mqtt\": {\"TopicPrefix\": \"a\0b\"}}",
            "escaped-nul" => "{\"Mqtt\": {\"TopicPrefix\": \"a\\u0000b\"}, \"EdgeVision\": {\"Cameras\": [{\"Name\": \"sample\", \"Source\": \"samples/vtest-clip.mp4\"}]}}",
            "huge-numbers" => "{\"Mqtt\": {\"Port\": 1e309}, \"EdgeVision\": {\"SnapshotArchiveBytes\": 99999999999999999999, \"Cameras\": [{\"Name\": \"sample\", \"Source\": \"samples/vtest-clip.mp4\"}]}}",
            "wrong-types" => "{\"Mqtt\": {\"Tls\": \"yes\"}, \"EdgeVision\": {\"Cameras\": \"none\"}}",
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }
}
