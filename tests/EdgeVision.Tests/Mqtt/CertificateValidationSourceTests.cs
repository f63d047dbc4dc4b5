using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Mqtt;

/// <summary>
/// A guard over the source tree: the switches that turn certificate validation off exist in MQTTnet and .NET, and
/// one of them added "for a quick test" would pass every TLS test that uses a good certificate. The wrong-CA and
/// wrong-name tests catch a bypass in BrokerTls itself; this catches one anywhere else.
/// </summary>
public sealed class CertificateValidationSourceTests
{
    private static readonly string[] Bypasses =
    [
        "WithAllowUntrustedCertificates", "AllowUntrustedCertificates", "WithIgnoreCertificateChainErrors", "IgnoreCertificateChainErrors",
        "WithIgnoreCertificateRevocationErrors", "IgnoreCertificateRevocationErrors", "DangerousAcceptAnyServerCertificateValidator",
        "ServerCertificateCustomValidationCallback", "RemoteCertificateValidationCallback", "CheckCertificateRevocationList = false",
    ];

    [Fact]
    public void Sources_NoCertificateValidationSwitch_AnywhereButTheOneValidator()
    {
        var sources = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var found = sources
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(x => Bypasses.Any(b => x.line.Contains(b, StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(RepositoryPaths.Root, x.file)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(sources.Count > 50, $"only {sources.Count} source files found under src");
        Assert.Empty(found);
        Assert.Single(sources, f => File.ReadAllText(f).Contains(".WithCertificateValidationHandler(", StringComparison.Ordinal));
    }
}
