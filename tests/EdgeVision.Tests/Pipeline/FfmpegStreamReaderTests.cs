using EdgeVision.Pipeline;
using EdgeVision.Tests.Mqtt;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.Pipeline;

/// <summary>The ffmpeg child process that reads network cameras, against a real RTSP server and bad headers.</summary>
public sealed class FfmpegStreamReaderTests
{
    [Theory]
    [InlineData("YUV4MPEG2 W768 H576 F10:1 Ip A1:1 C420jpeg XYSCSS=420JPEG", 768, 576, 10.0)]
    [InlineData("YUV4MPEG2 W1920 H1080 F30000:1001 It A1:1 C420mpeg2", 1920, 1080, 29.97002997002997)]
    [InlineData("YUV4MPEG2 W640 H480", 640, 480, 0.0)]
    [InlineData("YUV4MPEG2 W640 H480 F10:0", 640, 480, 0.0)]
    public void ParseHeader_ValidHeader_SizeAndRateOrZeroWhenUnknown(string header, int width, int height, double fps)
    {
        Assert.Equal((width, height, fps), FfmpegStreamReader.ParseHeader(header));
    }

    [Theory]
    [InlineData("")]
    [InlineData("RIFF W768 H576")]
    [InlineData("YUV4MPEG2 W767 H576 F10:1")]
    [InlineData("YUV4MPEG2 W768 F10:1")]
    [InlineData("YUV4MPEG2 W768 H576 C444")]
    [InlineData("YUV4MPEG2 W99999999999 H576")]
    [InlineData("YUV4MPEG2 W-768 H576")]
    [InlineData("YUV4MPEG2 W32768 H576")]
    public void ParseHeader_NotAUsable420Header_Null(string header)
    {
        Assert.Null(FfmpegStreamReader.ParseHeader(header));
    }

    [Fact]
    public void Open_NothingListening_Null()
    {
        var reader = FfmpegStreamReader.Open($"rtsp://127.0.0.1:{MosquittoBroker.FreePort()}/nothing", TimeSpan.FromSeconds(2));

        Assert.Null(reader);
    }

    [Fact]
    public async Task Read_RealRtspServer_DecodesBgrFramesOfTheClip()
    {
        using var server = await RtspClipServer.StartAsync(MosquittoBroker.FreePort());
        using var reader = FfmpegStreamReader.Open(server.Url, TimeSpan.FromSeconds(5));
        Assert.NotNull(reader);
        using var image = new Mat();

        var read = Enumerable.Range(0, 10).Count(_ => reader.Read(image));

        Assert.Equal(10, read);
        Assert.Equal((768, 576, MatType.CV_8UC3), (image.Width, image.Height, image.Type()));
        Assert.Equal(10, reader.Fps, 3);
        Assert.True(Cv2.Mean(image).Val0 > 20, "the last frame is not black");
    }

    /// <summary>
    /// The pipe ffmpeg writes frames into is closed when the reader is disposed, not when a finalizer gets to it: a
    /// camera that reconnects all day would otherwise pile up descriptors between full collections.
    /// </summary>
    [Fact]
    public async Task Dispose_AfterReading_ClosesItsEndOfFfmpegsOutputPipeAtOnce()
    {
        using var server = await RtspClipServer.StartAsync(MosquittoBroker.FreePort());
        var reader = FfmpegStreamReader.Open(server.Url, TimeSpan.FromSeconds(5));
        Assert.NotNull(reader);
        using var image = new Mat();
        Assert.True(reader.Read(image));
        var pipe = new FileInfo($"/proc/{reader.ProcessId}/fd/1").LinkTarget;
        Assert.StartsWith("pipe:", pipe, StringComparison.Ordinal);
        Assert.Contains(pipe, OwnDescriptorTargets());

        reader.Dispose();

        Assert.DoesNotContain(pipe, OwnDescriptorTargets());
    }

    private static List<string?> OwnDescriptorTargets() =>
        [.. Directory.GetFiles("/proc/self/fd").Select(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                return null; // Closed by another test while the list was read.
            }
        })];

    [Fact]
    public async Task Open_UrlWithAPassword_FramesReadAndNoCommandLineOnTheMachineHoldsIt()
    {
        const string Password = "cmd-Line-S3cret";
        using var server = await RtspClipServer.StartAsync(MosquittoBroker.FreePort());
        var url = server.Url.Replace("rtsp://", $"rtsp://viewer:{Password}@", StringComparison.Ordinal);
        using var reader = FfmpegStreamReader.Open(url, TimeSpan.FromSeconds(5));
        Assert.NotNull(reader);
        using var image = new Mat();
        Assert.True(reader.Read(image));

        // Every process's command line, as any local user can read it, while ffmpeg runs on the camera.
        var lines = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Select(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                return string.Empty; // The process ended while the list was read.
            }
        }).ToList();
        Assert.Contains(lines, l => l.Contains("ffmpeg", StringComparison.Ordinal) && l.Contains("pipe:0", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(Password, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rtsp://cam/x", "'rtsp://cam/x'")]
    [InlineData("rtsp://u:it's@cam/x", "'rtsp://u:it'\\''s@cam/x'")]
    public void ConcatQuote_QuoteInsideTheUrl_ClosedEscapedAndReopened(string url, string expected) =>
        Assert.Equal(expected, FfmpegStreamReader.ConcatQuote(url));

    [Fact]
    public void Open_UrlWithALineBreak_RefusedBeforeAnythingRuns() =>
        Assert.Throws<ArgumentException>(() => FfmpegStreamReader.Open("rtsp://cam/x\nfile '/etc/passwd'", TimeSpan.FromSeconds(1)));
}
