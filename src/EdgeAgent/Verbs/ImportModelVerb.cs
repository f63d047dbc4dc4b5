using System.Text.Json;
using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Models;
using EdgeVision.ModelTools.Import;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>import-model</c>: takes an exported YOLO-family or end-to-end detector, checks its input and output against
/// the family, and installs it with a manifest in the imported-models directory so that
/// <c>EdgeVision:Model</c> (or <c>detect --model</c>) can name it.
/// </summary>
internal sealed class ImportModelVerb : IVerb
{
    public string Name => "import-model";

    public string Usage => "<file.onnx> --family yolov5|yolov8|e2e [--labels FILE] [--name NAME] [--model-dir DIR] [--pad-value 0-255] [--size WIDTHxHEIGHT] [--force]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["family=", "labels=", "name=", "model-dir=", "pad-value=", "size=", "force"]);
        var file = Path.GetFullPath(parsed.Positional(0, "the .onnx file to import"));
        parsed.ExpectPositionals(1);
        var family = parsed.Get("family") ?? throw new UserFacingException($"{Name}: --family yolov5|yolov8|e2e is required", 2);
        if (!File.Exists(file))
        {
            throw new UserFacingException($"{Name}: no file at {file}", 2);
        }

        IReadOnlyList<string>? labels = null;
        if (parsed.Get("labels") is { } labelsFile)
        {
            var path = Path.GetFullPath(labelsFile);
            labels = File.Exists(path)
                ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray()
                : throw new UserFacingException($"{Name}: no labels file at {path}", 2);
        }

        (int Width, int Height)? size = null;
        if (parsed.Get("size") is { } sizeText)
        {
            size = System.Text.RegularExpressions.Regex.Match(sizeText, "^([0-9]{1,5})x([0-9]{1,5})$") is { Success: true } m
                && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var w and >= 32 and <= 8192
                && int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) is var h and >= 32 and <= 8192
                ? (w, h)
                : throw new UserFacingException($"{Name}: --size must be WIDTHxHEIGHT, each from 32 to 8192 (640x640), found '{sizeText}'", 2);
        }

        ImportedModel imported;
        try
        {
            imported = ModelImporter.Inspect(File.ReadAllBytes(file), file, family, labels, parsed.Get("name"), parsed.GetInt("pad-value", 114, 0, 255), size);
        }
        catch (ModelException ex)
        {
            // A file that does not fit, or a flag that does not fit the file: the command was given the wrong thing.
            throw new UserFacingException(ex.Message, 2, ex);
        }

        var directory = EdgeVisionOptions.ImportedModels(parsed.Get("model-dir"));
        var manifestPath = Path.Combine(directory, imported.Name + ".json");
        if (File.Exists(manifestPath) && !parsed.Has("force"))
        {
            throw new UserFacingException($"{Name}: a model named '{imported.Name}' is already in {directory}; give another --name or --force to replace it", 2);
        }

        Directory.CreateDirectory(directory);
        File.Copy(file, Path.Combine(directory, imported.Name + ".onnx"), overwrite: true);
        File.WriteAllLines(Path.Combine(directory, imported.Name + ".labels"), imported.Labels);
        File.WriteAllText(manifestPath, imported.Manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        // What the agent will do with it: load the manifest (hash, labels) and open the file in ONNX Runtime.
        var model = ModelCatalog.LoadManifest(manifestPath);
        using (OnnxDetector.Create(model, new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = 1, MaxBatchSize = 1 }))
        {
        }

        Console.WriteLine(
            $"Imported {imported.Name}: {imported.Family}, input {imported.Width}×{imported.Height} '{imported.InputName}', output '{imported.OutputName}' "
            + $"({imported.Rows} rows, {imported.Labels.Count} classes), {imported.Precision}, into {directory}");
        Console.WriteLine($"Run it with: edgevision run --EdgeVision:Model={imported.Name}   (or detect --model {imported.Name} <image>)");
        return Task.FromResult(0);
    }
}
