using System.Text.Json;

namespace EdgeVision.ModelTools.Profiling;

/// <summary>One operator type's share of a model's run time.</summary>
/// <param name="Operator">The op type as ONNX Runtime ran it (after fusion: <c>QLinearConv</c>, <c>FusedConv</c>, …).</param>
/// <param name="Nodes">Nodes of that type run per model run.</param>
/// <param name="MillisecondsPerRun">Their kernel time per model run.</param>
/// <param name="Share">Of the summed kernel time of all nodes.</param>
public sealed record OperatorTime(string Operator, double Nodes, double MillisecondsPerRun, double Share);

/// <summary>
/// Reads the trace ONNX Runtime's profiler writes (Chrome trace JSON: one <c>model_run</c> event per run and one
/// <c>…_kernel_time</c> event per node executed, with its op type) and sums kernel time per operator type.
/// </summary>
public static class OrtProfile
{
    /// <summary>
    /// Operator types by time per run, largest first; <paramref name="skipRuns"/> first runs (warm-up) left out. With
    /// <paramref name="byNode"/>, each node on its own ("QLinearConv conv1/Conv2D", one node per run).
    /// </summary>
    public static (int Runs, double RunMilliseconds, IReadOnlyList<OperatorTime> Operators) Summarize(string traceJson, int skipRuns = 0, bool byNode = false)
    {
        using var document = JsonDocument.Parse(traceJson);
        var events = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("traceEvents");
        var runs = new List<(long Start, long End)>();
        var nodes = new List<(long Ts, string Op, long Dur)>();
        foreach (var e in events.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var category) || !e.TryGetProperty("name", out var name) || !e.TryGetProperty("dur", out var duration))
            {
                continue;
            }

            var ts = e.GetProperty("ts").GetInt64();
            var dur = duration.GetInt64();
            if (category.GetString() == "Session" && name.GetString() == "model_run")
            {
                runs.Add((ts, ts + dur));
            }
            else if (category.GetString() == "Node" && name.GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)
                     && e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op))
            {
                var key = byNode ? $"{op.GetString()} {name.GetString()![..^"_kernel_time".Length]}" : op.GetString()!;
                nodes.Add((ts, key, dur));
            }
        }

        runs.Sort();
        var kept = runs.Skip(skipRuns).ToList();
        if (kept.Count == 0)
        {
            throw new InvalidDataException($"the trace holds {runs.Count} runs; nothing is left after skipping {skipRuns}");
        }

        var from = kept[0].Start;
        var counted = nodes.Where(n => n.Ts >= from).ToList();
        var total = counted.Sum(n => (double)n.Dur);
        var operators = counted.GroupBy(n => n.Op)
            .Select(g => new OperatorTime(g.Key, g.Count() / (double)kept.Count, g.Sum(n => n.Dur) / 1000.0 / kept.Count, total > 0 ? g.Sum(n => n.Dur) / total : 0))
            .OrderByDescending(o => o.MillisecondsPerRun)
            .ToList();
        return (kept.Count, kept.Average(r => (r.End - r.Start) / 1000.0), operators);
    }
}
