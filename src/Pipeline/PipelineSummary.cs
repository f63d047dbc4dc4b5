using System.Globalization;
using System.Text;

namespace EdgeVision.Pipeline;

/// <summary>Renders a <see cref="PipelineSnapshot"/> as a few lines for a console or a log.</summary>
public static class PipelineSummary
{
    public static string Format(PipelineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"pipeline {snapshot.Model} on {snapshot.ExecutionProvider}: {snapshot.ProcessedFps:0.0} fps over {snapshot.Interval.TotalSeconds:0.0} s, inference {snapshot.InferenceMeanMs:0.0} ms/batch");
        foreach (var camera in snapshot.Cameras)
        {
            text.AppendLine(
                culture,
                $"  {camera.Name,-16} {(camera.Connected ? "up  " : "down")} captured {camera.Captured} ({camera.CapturedFps:0.0} fps) processed {camera.Processed} ({camera.ProcessedFps:0.0} fps) skipped {camera.Skipped} dropped {camera.Dropped} corrupt {camera.CorruptFrames} failed {camera.Failed} reconnects {camera.Reconnects}");
        }

        foreach (var stage in snapshot.Stages.Where(s => s.Count > 0))
        {
            text.AppendLine(culture, $"  {stage.Stage,-18} p50 {stage.P50Ms,7:0.00} ms  p99 {stage.P99Ms,7:0.00} ms  max {stage.MaxMs,7:0.00} ms  n={stage.Count}");
        }

        text.Append("  queues ");
        text.AppendJoin(' ', snapshot.QueueDepths.Select(q => string.Create(culture, $"{q.Key}={q.Value}/{snapshot.QueueCapacities[q.Key]}")));
        text.AppendLine();
        text.Append("  batches ");
        text.AppendJoin(' ', snapshot.BatchSizes.Select(b => string.Create(culture, $"{b.Key}×{b.Value}")));
        return text.ToString();
    }
}
