using System.Text;
using EdgeVision.Pipeline.Analytics;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.Tests.Analytics;

public sealed class CameraAnalyticsBindingTests
{
    [Fact]
    public void Bind_JsonZonesAndLines_ReadsPointPairs()
    {
        const string json = """
            {"Mode": "track", "Zones": [{"Name": "porch", "Points": [[0.1, 0.5], [0.6, 0.5], [0.6, 1]], "Labels": ["person"], "MinArea": 0.01}],
             "Lines": [{"Name": "gate", "A": [960, 1080], "B": [960, 0], "InDirection": "right-to-left"}]}
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

        var options = configuration.Get<CameraAnalyticsOptions>()!;

        Assert.Equal([[0.1f, 0.5f], [0.6f, 0.5f], [0.6f, 1f]], options.Zones[0].Points);
        Assert.Equal(["person"], options.Zones[0].Labels);
        Assert.Equal([960f, 1080f], options.Lines[0].A);
        Assert.Equal(LineOptions.RightToLeft, options.Lines[0].InDirection);
    }
}
