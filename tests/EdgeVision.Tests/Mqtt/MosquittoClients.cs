using System.Diagnostics;
using System.Globalization;

namespace EdgeVision.Tests.Mqtt;

/// <summary>Debian's mosquitto_pub and mosquitto_sub, run once each.</summary>
internal static class MosquittoClients
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static Task PublishAsync(int port, string topic, string payload, bool retain = false) =>
        RunAsync("mosquitto_pub", ["-V", "mqttv5", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-m", payload, .. retain ? ["-r"] : Array.Empty<string>()]);

    public static async Task<string> ReadRetainedAsync(int port, string topic) =>
        (await RunAsync("mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", topic, "-C", "1", "-W", "30", "--retained-only")).Trim();

    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Bound);
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {await errors}");
        return await output;
    }
}
