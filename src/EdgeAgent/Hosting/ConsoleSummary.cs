using System.Globalization;
using System.Text;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// The live console view of `edgevision run`: fps per camera, drops, objects seen by label, batch sizes and
/// the last frames published, redrawn in place on a terminal and appended as plain blocks otherwise.
/// </summary>
internal sealed class ConsoleSummary : BackgroundService
{
    private readonly IPipelineStatistics _statistics;
    private readonly RecentPublications _recent;
    private readonly TimeSpan _interval;
    private readonly string _watchHint;

    public ConsoleSummary(IPipelineStatistics statistics, RecentPublications recent, IOptions<EdgeVisionOptions> options, ConsoleSummaryHint hint)
    {
        _statistics = statistics;
        _recent = recent;
        _interval = options.Value.ConsoleSummaryInterval;
        _watchHint = hint.Text;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval <= TimeSpan.Zero)
        {
            return;
        }

        Console.WriteLine(_watchHint);
        using var timer = new PeriodicTimer(_interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Console.Write(Render(_statistics.Snapshot(), _recent.Recent(), _recent.Published, _recent.RecentCaptions()));
        }
    }

    public static string Render(PipelineSnapshot snapshot, IReadOnlyList<string> recent, long published, IReadOnlyList<string>? captions = null)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"── {snapshot.At:HH:mm:ss} model {snapshot.Model} on {snapshot.ExecutionProvider}, inference {snapshot.InferenceMeanMs:F1} ms/batch, published {published}");
        foreach (var c in snapshot.Cameras)
        {
            text.AppendLine(inv, $"   {c.Name,-12} {(c.Connected ? "live   " : "offline")} captured {c.CapturedFps,5:F1} fps  processed {c.ProcessedFps,5:F1} fps  dropped {c.Dropped}  skipped {c.Skipped}  detected {c.Detected} (still {c.MotionSkipped}, regions {c.Regions})  filtered {c.FilteredDetections}  reconnects {c.Reconnects}");
        }

        if (snapshot.Stages.FirstOrDefault(s => s.Stage == "motion") is { Count: > 0 } motion)
        {
            text.AppendLine(inv, $"   motion: {motion.MeanMs:F2} ms/frame (p99 {motion.P99Ms:F2})");
        }

        if (snapshot.DetectionsByLabel.Count > 0)
        {
            text.AppendLine("   seen: " + string.Join(", ", snapshot.DetectionsByLabel.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key} {p.Value}")));
        }

        if (snapshot.BatchSizes.Count > 0)
        {
            text.AppendLine("   batches: " + string.Join(", ", snapshot.BatchSizes.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        }

        foreach (var line in recent)
        {
            text.AppendLine("   → " + line);
        }

        foreach (var caption in captions ?? [])
        {
            text.AppendLine("   “ " + caption);
        }

        return text.ToString();
    }
}

/// <summary>The one line telling the user how to watch the topics, known once the broker's address is.</summary>
internal sealed record ConsoleSummaryHint(string Text);
