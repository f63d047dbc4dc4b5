using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

/// <summary>Camera URLs lose their passwords however the user name and password are spelled; other sources stay as they are.</summary>
public sealed class SourceRedactionTests
{
    [Theory]
    [InlineData("rtsp://admin:p%40ss.word%25x@192.168.1.10:554/stream1", "rtsp://admin:***@192.168.1.10:554/stream1")]
    [InlineData("rtsp://first.last%40corp.example:pa%3As%2Fs@cam.local/live?channel=1", "rtsp://first.last%40corp.example:***@cam.local/live?channel=1")]
    [InlineData("rtsp://user:secret@[fe80::1]:8554/x", "rtsp://user:***@[fe80::1]:8554/x")]
    [InlineData("rtsp://user:secret@[::1]/x", "rtsp://user:***@[::1]/x")]
    [InlineData("http://operator:Op.3r%25at0r@cam.local/mjpg/video.mjpg", "http://operator:***@cam.local/mjpg/video.mjpg")]
    [InlineData("rtsp://user:@cam.local/x", "rtsp://user:***@cam.local/x")]
    [InlineData("rtsp://:only-a-password@cam.local/x", "rtsp://***@cam.local/x")]
    [InlineData("https://APIKEY0123@cam.example/stream", "https://***@cam.example/stream")]
    [InlineData("rtsp://user:p@ss@cam.local/x", "rtsp://***@cam.local/x")]
    [InlineData("rtsp://user:pa ss@cam.local/x", "rtsp://***@cam.local/x")]
    [InlineData("rtsp://us@er:p@ss:w@rd@10.0.0.7:554/x", "rtsp://***@10.0.0.7:554/x")]
    [InlineData("rtsp://cam.local:554/live", "rtsp://cam.local:554/live")]
    [InlineData("rtsp://cam.local/archive@2026", "rtsp://cam.local/archive@2026")]
    [InlineData("samples/vtest-clip.mp4", "samples/vtest-clip.mp4")]
    [InlineData("/data/user@host/clip.mp4", "/data/user@host/clip.mp4")]
    [InlineData("0", "0")]
    [InlineData("/dev/video0", "/dev/video0")]
    public void Redact_Source_HidesThePasswordOnly(string source, string expected)
    {
        Assert.Equal(expected, SourceRedaction.Redact(source));
    }

    [Theory]
    [InlineData("p@ss.word%")]
    [InlineData("pa:ss/wo?rd#1")]
    [InlineData("%41%42")]
    [InlineData("ünïcødé pässwörd")]
    [InlineData("....@@@@%%%%")]
    public void Redact_PasswordEncodedAsUsersWriteIt_NeitherFormRemains(string password)
    {
        var encoded = Uri.EscapeDataString(password);
        var source = $"rtsp://cam.user:{encoded}@10.1.2.3:554/h264";

        var shown = SourceRedaction.Redact(source);
        var scrubbed = SourceRedaction.Scrub($"could not open {source} ({password})", source);

        Assert.Equal("rtsp://cam.user:***@10.1.2.3:554/h264", shown);
        Assert.Equal("could not open rtsp://cam.user:***@10.1.2.3:554/h264 (***)", scrubbed);
    }

    [Fact]
    public void Redact_InvalidPercentEscapeInPassword_MaskedAnyway()
    {
        var shown = SourceRedaction.Redact("rtsp://u:p%zz9@host.example/x");

        Assert.DoesNotContain("p%zz9", shown, StringComparison.Ordinal);
        Assert.EndsWith("@host.example/x", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrub_OpenCvDebugLine_UrlInQuotesRedacted()
    {
        const string line = "[ WARN:0@0.036] global cap.cpp:141 open VIDEOIO(FFMPEG): trying capture filename='rtsp://user:p%40ss.word%25x@127.0.0.1:1/x' ...";

        Assert.Equal(
            "[ WARN:0@0.036] global cap.cpp:141 open VIDEOIO(FFMPEG): trying capture filename='rtsp://user:***@127.0.0.1:1/x' ...",
            SourceRedaction.Scrub(line));
    }

    [Fact]
    public void Scrub_TwoUrlsAndPlainText_EachUrlRedactedTextKept()
    {
        var text = "first rtsp://a:one@h1/x, then http://b:two@h2:8080/y; done";

        Assert.Equal("first rtsp://a:***@h1/x, then http://b:***@h2:8080/y; done", SourceRedaction.Scrub(text));
    }

    [Fact]
    public void Scrub_DecodedPasswordWithoutUrl_MaskedWhenTheSourceIsKnown()
    {
        const string source = "rtsp://user:p%40ss.word%25x@127.0.0.1:1/x";

        Assert.Equal("auth failed for *** at 127.0.0.1", SourceRedaction.Scrub("auth failed for p@ss.word%x at 127.0.0.1", source));
    }
}
