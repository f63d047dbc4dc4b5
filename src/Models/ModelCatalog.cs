using System.Security.Cryptography;

namespace EdgeVision.Models;

/// <summary>
/// Finds and loads models: a bare name such as <c>nanodet-g-416</c> is looked up as <c>models/NAME.json</c>
/// in each search root and its parents; anything ending in .json is taken as the path of a manifest.
/// Every failure is a <see cref="ModelException"/> with a one-line message naming the file.
/// </summary>
public sealed class ModelCatalog
{
    public const string ModelsDirectoryName = "models";

    private readonly IReadOnlyList<string> _searchRoots;
    private readonly string? _userDirectory;

    /// <param name="userDirectory">A directory holding imported models' manifests directly (<c>NAME.json</c>), searched first.</param>
    public ModelCatalog(IEnumerable<string> searchRoots, string? userDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(searchRoots);
        _searchRoots = searchRoots.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();
        _userDirectory = string.IsNullOrEmpty(userDirectory) ? null : Path.GetFullPath(userDirectory);
    }

    /// <summary>
    /// Searches from the current directory (a checkout) and from the application's directory (build
    /// output or an installed copy), so the same name works from either place.
    /// </summary>
    public static ModelCatalog Default => new([Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    /// <summary>The absolute path of the manifest for a model name or a manifest path.</summary>
    public string ResolveManifestPath(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.GetFullPath(nameOrPath);
            return System.IO.File.Exists(path)
                ? path
                : throw new ModelException($"model manifest not found: {path}");
        }

        if (nameOrPath.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new ModelException($"model '{nameOrPath}' is neither a model name nor a .json manifest path");
        }

        if (_userDirectory is not null && System.IO.File.Exists(Path.Combine(_userDirectory, nameOrPath + ".json")))
        {
            return Path.Combine(_userDirectory, nameOrPath + ".json");
        }

        foreach (var root in _searchRoots)
        {
            for (var directory = new DirectoryInfo(root); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, ModelsDirectoryName, nameOrPath + ".json");
                if (System.IO.File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new ModelException(
            $"model '{nameOrPath}' not found: no {ModelsDirectoryName}/{nameOrPath}.json in {string.Join(" or ", _searchRoots)} or their parents{(_userDirectory is null ? string.Empty : $", nor {nameOrPath}.json in {_userDirectory}")}");
    }

    /// <summary>Resolves, parses and validates the manifest, reads the labels and verifies the .onnx hash.</summary>
    public ModelPackage Load(string nameOrPath) => LoadManifest(ResolveManifestPath(nameOrPath));

    public static ModelPackage LoadManifest(string manifestPath)
    {
        manifestPath = Path.GetFullPath(manifestPath);
        var manifest = ReadManifest(manifestPath);

        var directory = Path.GetDirectoryName(manifestPath)!;
        var labelsPath = Path.GetFullPath(Path.Combine(directory, manifest.Labels!));
        var labels = ReadText(labelsPath, "labels file")
            .Split('\n')
            .Select(line => line.TrimEnd('\r').Trim())
            .Where(line => line.Length > 0)
            .ToArray();
        if (labels.Length == 0)
        {
            throw new ModelException($"labels file {labelsPath} has no labels");
        }

        var modelPath = Path.GetFullPath(Path.Combine(directory, manifest.File!));
        VerifySha256(modelPath, manifest.Sha256!);
        return new ModelPackage(manifest, manifestPath, modelPath, labels);
    }

    /// <summary>Parses and validates a manifest without touching the model file it names.</summary>
    public static ModelManifest ReadManifest(string manifestPath)
    {
        var manifest = ModelManifest.Parse(ReadText(manifestPath, "model manifest"), manifestPath);
        var errors = manifest.Validate();
        return errors.Count > 0
            ? throw new ModelException($"model manifest {manifestPath} is invalid: {string.Join("; ", errors)}")
            : manifest;
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string ComputeSha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void VerifySha256(string modelPath, string expected)
    {
        if (!System.IO.File.Exists(modelPath))
        {
            throw new ModelException($"model file not found: {modelPath}");
        }

        string actual;
        try
        {
            actual = ComputeSha256(modelPath);
        }
        catch (IOException ex)
        {
            throw new ModelException($"model file {modelPath} cannot be read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ModelException($"model file {modelPath} cannot be read: {ex.Message}", ex);
        }

        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelException(
                $"model file {modelPath} does not match its manifest: sha256 expected {expected.ToLowerInvariant()}, actual {actual}");
        }
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return System.IO.File.ReadAllText(path);
        }
        catch (FileNotFoundException ex)
        {
            throw new ModelException($"{what} not found: {path}", ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new ModelException($"{what} not found: {path}", ex);
        }
        catch (IOException ex)
        {
            throw new ModelException($"{what} {path} cannot be read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ModelException($"{what} {path} cannot be read: {ex.Message}", ex);
        }
    }
}
