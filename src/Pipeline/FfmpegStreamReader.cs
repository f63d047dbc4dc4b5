using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// An rtsp:// or http(s):// camera read through Debian's <c>ffmpeg</c> as a child process. The FFmpeg inside the
/// OpenCvSharp runtime package is built with <c>--disable-network</c>, so OpenCV cannot open a URL at all; the
/// ffmpeg program can, and its output, a YUV4MPEG2 stream on standard output, names its own frame size and rate,
/// so nothing has to be probed first. RTSP runs over TCP (interleaved), which every camera offers and which
/// survives NAT and lossy Wi-Fi better than UDP. ffmpeg's socket timeout is the read timeout; the capture
/// watchdog still guards every call. Disposing kills the process. ffmpeg's own messages are discarded: they can
/// quote the URL, credentials included.
/// </summary>
internal sealed class FfmpegStreamReader : IVideoReader
{
    public const string Executable = "/usr/bin/ffmpeg";

    // A YUV4MPEG2 header or frame line is a handful of short fields; anything longer is not one.
    private const int MaxLineBytes = 1024;

    private readonly Process _process;
    private readonly Stream _output;
    private readonly Mat _yuv;
    private readonly int _frameBytes;

    private FfmpegStreamReader(Process process, int width, int height, double fps)
    {
        _process = process;
        _output = process.StandardOutput.BaseStream;
        Fps = fps;
        _frameBytes = width * height * 3 / 2;
        _yuv = new Mat(height * 3 / 2, width, MatType.CV_8UC1);
    }

    public double Fps { get; }

    public int FrameCount => 0;

    /// <summary>The ffmpeg child's process id.</summary>
    internal int ProcessId => _process.Id;

    /// <summary>A concat-list file name: inside single quotes everything is literal, and a quote is written as '\''.</summary>
    internal static string ConcatQuote(string url) => "'" + url.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Starts ffmpeg on <paramref name="url"/> and reads the stream header; null when the stream does not open.</summary>
    /// <param name="decodeThreads">Decoder threads for ffmpeg; 0 leaves ffmpeg's own choice.</param>
    public static FfmpegStreamReader? Open(string url, TimeSpan readTimeout, int decodeThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Any(char.IsControl))
        {
            throw new ArgumentException("a camera URL must not contain control characters", nameof(url));
        }

        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var microseconds = ((long)readTimeout.TotalMilliseconds * 1000).ToString(CultureInfo.InvariantCulture);
        var rtsp = url.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase);

        // The URL (with any password in it) never goes on ffmpeg's command line, which every local user can read in
        // /proc/<pid>/cmdline: ffmpeg reads a one-entry concat list from its standard input instead, and the
        // source's own options travel with the entry.
        string[] threads = decodeThreads > 0 ? ["-threads", decodeThreads.ToString(CultureInfo.InvariantCulture)] : [];
        string[] whitelist = ["-protocol_whitelist", rtsp ? "pipe,rtsp,rtsps,rtp,srtp,tcp,udp,tls" : "pipe,http,https,tcp,tls,udp,rtp,file,crypto,hls,httpproxy"];
        foreach (var argument in (string[])["-nostdin", "-hide_banner", "-loglevel", "quiet", .. threads, "-f", "concat", "-safe", "0", .. whitelist, "-i", "pipe:0",
                     "-map", "0:v:0", "-an", "-sn", "-dn", "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", "pipe:1"])
        {
            info.ArgumentList.Add(argument);
        }

        var list = new System.Text.StringBuilder("ffconcat version 1.0\n")
            .Append("file ").Append(ConcatQuote(url)).Append('\n');
        foreach (var (key, value) in rtsp ? [("rtsp_transport", "tcp"), ("timeout", microseconds)] : new[] { ("rw_timeout", microseconds) })
        {
            list.Append("option ").Append(key).Append(' ').Append(value).Append('\n');
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {Executable} ({ex.Message}); install Debian's ffmpeg package", ex);
        }

        try
        {
            process.StandardInput.Write(list.ToString());
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // ffmpeg exited before reading its list; the header read below sees the end and reports no stream.
        }

        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            if (ReadLine(process.StandardOutput.BaseStream) is { } header && ParseHeader(header) is var (width, height, fps))
            {
                return new FfmpegStreamReader(process, width, height, fps);
            }
        }
        catch (IOException)
        {
            // The pipe broke while the header was read: ffmpeg gave up on the stream, the same answer as no header.
        }

        Stop(process);
        return null;
    }

    /// <summary>The frame size and rate of a YUV4MPEG2 header (<c>YUV4MPEG2 W768 H576 F10:1 Ip A1:1 C420jpeg</c>).</summary>
    public static (int Width, int Height, double Fps)? ParseHeader(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var fields = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0] != "YUV4MPEG2")
        {
            return null;
        }

        int width = 0, height = 0;
        double fps = 0;
        foreach (var field in fields.Skip(1))
        {
            var value = field[1..];
            switch (field[0])
            {
                case 'W':
                    int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out width);
                    break;
                case 'H':
                    int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out height);
                    break;
                case 'F' when value.Split(':') is [var n, var d]
                    && double.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var numerator)
                    && double.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var denominator) && denominator > 0:
                    fps = numerator / denominator;
                    break;
                case 'C' when !value.StartsWith("420", StringComparison.Ordinal):
                    return null;
            }
        }

        // Even sizes only: 4:2:0 halves both; 16 384 px is far beyond any camera and keeps the buffer sane.
        return width is > 0 and <= 16384 && height is > 0 and <= 16384 && width % 2 == 0 && height % 2 == 0
            ? (width, height, fps)
            : null;
    }

    public unsafe bool Read(Mat image)
    {
        try
        {
            if (ReadLine(_output) is not { } line || !line.StartsWith("FRAME", StringComparison.Ordinal))
            {
                return false;
            }

            _output.ReadExactly(new Span<byte>((void*)_yuv.Data, _frameBytes));
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException)
        {
            return false;
        }

        Cv2.CvtColor(_yuv, image, ColorConversionCodes.YUV2BGR_I420);
        return true;
    }

    public void Dispose()
    {
        Stop(_process);
        _yuv.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        // Process.Dispose closes only the streams read asynchronously; standard output, read synchronously, would keep
        // its pipe open until a finalizer ran (one descriptor per reconnect, piling up between full collections).
        process.StandardOutput.Dispose();
        process.Dispose();
    }

    private static string? ReadLine(Stream stream)
    {
        var bytes = new List<byte>(64);
        while (bytes.Count < MaxLineBytes)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                return null;
            }

            if (b == '\n')
            {
                return Encoding.ASCII.GetString([.. bytes]);
            }

            bytes.Add((byte)b);
        }

        return null;
    }
}
