using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void ResolveManifestPath_NameFromANestedDirectory_FindsModelsFolderAbove()
    {
        var models = Directory.CreateDirectory(_directory.Combine("models")).FullName;
        File.WriteAllText(Path.Combine(models, "tiny.json"), "{}");
        var nested = Directory.CreateDirectory(_directory.Combine("a", "b", "c")).FullName;

        var path = new ModelCatalog([nested]).ResolveManifestPath("tiny");

        Assert.Equal(Path.Combine(models, "tiny.json"), path);
    }

    [Fact]
    public void ResolveManifestPath_ShippedModelFromBuildOutput_FindsTheCopyBesideTheBinaries()
    {
        var path = new ModelCatalog([AppContext.BaseDirectory]).ResolveManifestPath("nanodet-g-416");

        // The agent's build copies models/ next to its binaries, so an installed agent needs no repository.
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", "nanodet-g-416.json"), path);
        Assert.Equal(File.ReadAllText(RepositoryFiles.Path("models/nanodet-g-416.json")), File.ReadAllText(path));
    }

    [Fact]
    public void ResolveManifestPath_UnknownName_SaysWhereItLooked()
    {
        var error = Assert.Throws<ModelException>(() => new ModelCatalog([_directory.Path]).ResolveManifestPath("nope"));

        Assert.Equal($"model 'nope' not found: no models/nope.json in {_directory.Path} or their parents", error.Message);
    }

    [Fact]
    public void Load_ManifestPath_ReadsLabelsAndResolvesTheModelFile()
    {
        var manifestPath = SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding(), "tiny");

        var model = new ModelCatalog([]).Load(manifestPath);

        Assert.Equal(("tiny", _directory.Combine("tiny.onnx"), 80), (model.Name, model.ModelPath, model.Labels.Count));
        Assert.Equal(("person", "traffic light", "toothbrush"), (model.Labels[0], model.Labels[9], model.Labels[79]));
    }

    [Fact]
    public void Load_ModelFileChangedAfterHashing_RefusesWithBothHashes()
    {
        var manifestPath = SyntheticNanoDetModel.Write(_directory.Path, new NanoDetHeadEncoding(), "tiny");
        var onnxPath = _directory.Combine("tiny.onnx");
        var expected = SyntheticNanoDetModel.Sha256Of(onnxPath);
        File.AppendAllText(onnxPath, "x");
        var actual = SyntheticNanoDetModel.Sha256Of(onnxPath);

        var error = Assert.Throws<ModelException>(() => ModelCatalog.LoadManifest(manifestPath));

        Assert.Equal($"model file {onnxPath} does not match its manifest: sha256 expected {expected}, actual {actual}", error.Message);
    }

    [Fact]
    public void Load_ModelFileMissing_NamesIt()
    {
        var manifestPath = SyntheticNanoDetModel.WriteManifest(_directory.Path, "absent", new string('a', 64));

        var error = Assert.Throws<ModelException>(() => ModelCatalog.LoadManifest(manifestPath));

        Assert.Equal($"model file not found: {_directory.Combine("absent.onnx")}", error.Message);
    }

    [Fact]
    public void Load_InvalidManifest_ListsEveryErrorOnOneLine()
    {
        var manifestPath = _directory.Combine("bad.json");
        File.WriteAllText(manifestPath, """{ "format_version": 1 }""");

        var error = Assert.Throws<ModelException>(() => ModelCatalog.LoadManifest(manifestPath));

        Assert.StartsWith($"model manifest {manifestPath} is invalid: name: missing; file: missing; sha256: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
