namespace EdgeVision.Tests.Models;

/// <summary>Finds files of the checkout from the test's build output by walking up to the repository root.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "EdgeVision.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("EdgeVision.sln not found above " + AppContext.BaseDirectory);
    }
}
