using EdgeVision.EdgeAgent.Http;

namespace EdgeVision.Tests.Http;

public sealed class HttpOptionsValidatorTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://[::1]:8080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.1.2.3:80")]
    public void Collect_LoopbackHttp_Accepted(string url) =>
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Url = url }));

    [Theory]
    [InlineData("http://0.0.0.0:5080", "Http:Url: '0.0.0.0' is not a loopback address")]
    [InlineData("http://192.0.2.7:5080", "Http:Url: '192.0.2.7' is not a loopback address")]
    [InlineData("http://camera-box.local:5080", "Http:Url: 'camera-box.local' is not a loopback address")]
    [InlineData("https://127.0.0.1:5443", "Http:Url: must be http://HOST:PORT with a loopback host (as http://127.0.0.1:5080), found 'https://127.0.0.1:5443'")]
    [InlineData("http://127.0.0.1:5080/edge", "Http:Url: must be http://HOST:PORT with a loopback host (as http://127.0.0.1:5080), found 'http://127.0.0.1:5080/edge'")]
    [InlineData("5080", "Http:Url: must be http://HOST:PORT with a loopback host (as http://127.0.0.1:5080), found '5080'")]
    [InlineData("http://admin:secret@127.0.0.1:5080", "Http:Url: must be http://HOST:PORT with a loopback host (as http://127.0.0.1:5080), found '(not shown: it contains '@')'")]
    public void Collect_BadUrl_OneLineNamingTheKey(string url, string expected)
    {
        var error = Assert.Single(HttpOptionsValidator.Collect(new HttpOptions { Url = url }));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_Disabled_UrlNotChecked() =>
        Assert.Empty(HttpOptionsValidator.Collect(new HttpOptions { Enabled = false, Url = "http://0.0.0.0:1" }));
}
