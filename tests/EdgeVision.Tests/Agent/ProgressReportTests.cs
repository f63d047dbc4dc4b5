using EdgeVision.EdgeAgent.Verbs;
using EdgeVision.Tests.Outbox;
using EdgeVision.Tests.Support;

namespace EdgeVision.Tests.Agent;

/// <summary>Progress of long commands: a line rewritten in place on a terminal, sparse plain lines in a log.</summary>
public sealed class ProgressReportTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly StringWriter _writer = new();

    public void Dispose() => _writer.Dispose();

    [Fact]
    public void Report_NotATerminal_PlainLinesAtStartEveryIntervalAndEnd()
    {
        var progress = new ProgressReport("quantize", _writer, terminal: false, _clock);

        for (var frame = 1; frame <= 100; frame++)
        {
            _clock.Now += TimeSpan.FromSeconds(0.3); // 30 s in all: lines at 0.3 s, 10.5 s, 20.7 s and the last
            progress.Report("calibrating (ranges)", frame, 100, "frames");
        }

        Assert.Equal(
            [
                "quantize: calibrating (ranges): 1/100 frames (1 %), 0.0 s",
                "quantize: calibrating (ranges): 35/100 frames (35 %), 10.2 s",
                "quantize: calibrating (ranges): 69/100 frames (69 %), 20.4 s",
                "quantize: calibrating (ranges): 100/100 frames (100 %), 29.7 s",
            ],
            Lines());
        Assert.DoesNotContain('\r', _writer.ToString());
    }

    [Fact]
    public void Report_Terminal_OneLineRewrittenWithABarThenEnded()
    {
        var progress = new ProgressReport("compare", _writer, terminal: true, _clock);

        progress.Report("comparing", 1, 4, "frames");
        _clock.Now += TimeSpan.FromMilliseconds(50); // within the redraw interval: not drawn
        progress.Report("comparing", 2, 4, "frames");
        _clock.Now += TimeSpan.FromMilliseconds(100);
        progress.Report("comparing", 3, 4, "frames");
        _clock.Now += TimeSpan.FromMilliseconds(10); // the last is always drawn, and ends the line
        progress.Report("comparing", 4, 4, "frames");

        var text = _writer.ToString();
        Assert.Equal(3, text.Count(c => c == '\r'));
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.Contains("\rcompare: comparing [######..................] 1/4 frames (25 %), 0.0 s", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2/4", text, StringComparison.Ordinal);
        Assert.EndsWith("\rcompare: comparing [########################] 4/4 frames (100 %), 0.2 s\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_NewStep_StartsItsOwnLineAndClock()
    {
        var progress = new ProgressReport("quantize", _writer, terminal: true, _clock);

        progress.Report("calibrating, pass 1 of 2 (ranges)", 1, 2, "frames");
        _clock.Now += TimeSpan.FromSeconds(5);
        progress.Report("calibrating, pass 2 of 2 (histograms)", 1, 2, "frames");
        progress.Stage("writing out.onnx");

        Assert.Equal(
            [
                "\rquantize: calibrating, pass 1 of 2 (ranges) [############............] 1/2 frames (50 %), 0.0 s",
                "\rquantize: calibrating, pass 2 of 2 (histograms) [############............] 1/2 frames (50 %), 0.0 s",
                "quantize: writing out.onnx",
            ],
            Lines());
    }

    [Fact]
    public void Report_UnknownTotal_CountsWithoutABar()
    {
        var progress = new ProgressReport("bench", _writer, terminal: false, _clock);

        progress.Report("reading", 7, null, "frames");

        Assert.Equal(["bench: reading: 7 frames, 0.0 s"], Lines());
    }

    [Fact]
    public void Compare_OutputNotATerminal_PlainProgressLinesOnStandardError()
    {
        using var process = AgentProcess.Start("compare", "nanodet-g-416", "nanodet-g-416-int8", "--start", "2", "--frames", "3");

        var exitCode = process.WaitForExit(TimeSpan.FromMinutes(2));

        var output = process.Output;
        Assert.Equal(0, exitCode);
        Assert.DoesNotContain('\r', output);
        Assert.Contains("compare: reading to frame 2: 1/2 frames (50 %)", output, StringComparison.Ordinal);
        Assert.Contains("compare: comparing nanodet-g-416-int8 with nanodet-g-416: 3/3 frames (100 %)", output, StringComparison.Ordinal);
        Assert.Contains("nanodet-g-416-int8 vs nanodet-g-416", output, StringComparison.Ordinal);
    }

    private string[] Lines() => _writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
