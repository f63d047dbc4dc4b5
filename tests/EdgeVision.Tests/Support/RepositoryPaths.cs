namespace EdgeVision.Tests.Support;

/// <summary>Where the tests find the repository, its fixtures, the sample video and the cached source model.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    public static string Models => Path.Combine(Root, "models");

    /// <summary>Debian's opencv-doc sample: 768×576, people walking. The test script installs it.</summary>
    public const string VtestVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    public static string Cache => Environment.GetEnvironmentVariable("EDGEVISION_CACHE") is { Length: > 0 } c
        ? c
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "edgevision");

    /// <summary>The original TF.js NanoDet-g, fetched from npm by scripts/fetch-source-model.sh (the test script runs it).</summary>
    public static string SourceModelJson
    {
        get
        {
            var path = Path.Combine(Cache, "human-models-3.0.4", "models", "nanodet.json");
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"source model missing at {path}: run scripts/fetch-source-model.sh first");
            }

            return path;
        }
    }

    /// <summary>The original TF.js MobileNetV3-CenterNet, from the same npm package as NanoDet-g.</summary>
    public static string CenterNetSourceJson => Path.Combine(Path.GetDirectoryName(SourceModelJson)!, "centernet.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeVision.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EdgeVision.sln not found above " + AppContext.BaseDirectory);
    }
}
