using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Agent;

/// <summary>The shipped unit, rated by systemd's own analyser (Debian 12's systemd can rate a unit file offline).</summary>
public sealed partial class SystemdUnitTests
{
    private const string Analyzer = "/usr/bin/systemd-analyze";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [SystemdAnalyzeFact]
    public void SecurityOffline_ShippedUnit_ExposureAtMostTwoPointFive()
    {
        var unit = Path.Combine(RepositoryPaths.Root, "systemd", "edgevision.service");
        var start = new ProcessStartInfo(Analyzer, ["security", "--offline=true", "--no-pager", unit])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(Bound), "systemd-analyze did not finish");

        var match = Exposure().Match(output);
        Assert.True(match.Success, $"no exposure level in: {output}{error.Result}");
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(exposure, 0.0, 2.5);
    }

    [GeneratedRegex(@"Overall exposure level for edgevision\.service: (\d+\.\d+)")]
    private static partial Regex Exposure();

    /// <summary>Runs only where systemd-analyze exists (Debian's systemd package); elsewhere the test says it was skipped.</summary>
    private sealed class SystemdAnalyzeFactAttribute : FactAttribute
    {
        public SystemdAnalyzeFactAttribute()
        {
            if (!File.Exists(Analyzer))
            {
                Skip = $"{Analyzer} not installed (Debian package systemd)";
            }
        }
    }
}
