using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary><c>convert-tfjs</c>: a TF.js graph model (model.json + weight shards) to an ONNX file.</summary>
internal sealed class ConvertTfjsVerb : IVerb
{
    public string Name => "convert-tfjs";

    public string Usage => "<model.json> <out.onnx> [--outputs NAME,NAME...] [--nchw-input] [--fixed-batch] [--no-optimize]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["outputs=", "nchw-input", "fixed-batch", "no-optimize"]);
        var input = parsed.Positional(0, "the TF.js model.json path");
        var output = parsed.Positional(1, "the output .onnx path");
        parsed.ExpectPositionals(2);

        var progress = ProgressReport.ForConsole(Name);
        progress.Stage($"reading {input} and its weight shards");
        var model = TfjsGraphModel.Load(input);
        progress.Stage(parsed.Has("no-optimize") ? "converting" : "converting and optimizing");
        var options = new ConversionOptions
        {
            BatchDimension = parsed.Has("fixed-batch") ? null : "batch",
            Optimize = !parsed.Has("no-optimize"),
            ChannelsFirstInputs = parsed.Has("nchw-input"),
            Outputs = parsed.Get("outputs")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        var graph = TfjsToOnnxConverter.Convert(model, options);
        progress.Stage($"writing {output}");
        OnnxModelFile.Save(graph, output);
        var ops = graph.Nodes.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}×{g.Count()}");
        Console.WriteLine($"wrote {output}: {graph.Nodes.Count} nodes ({string.Join(", ", ops)}), {graph.Initializers.Count} initializers, opset {graph.Opsets[""]}");
        return Task.FromResult(0);
    }
}
