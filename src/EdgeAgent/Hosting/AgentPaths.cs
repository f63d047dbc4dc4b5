namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Where the agent finds its files: the content root is the folder holding config/, models/ and samples/ —
/// the repository when run from source, the build or publish output otherwise (they are copied there).
/// Relative camera file paths and the default config resolve against it.
/// </summary>
internal sealed class AgentPaths
{
    public const string DefaultConfigRelative = "config/edgevision.json";

    public AgentPaths(string contentRoot)
    {
        ContentRoot = Path.GetFullPath(contentRoot);
    }

    public string ContentRoot { get; }

    public string DefaultConfig => Path.Combine(ContentRoot, DefaultConfigRelative);

    public string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(ContentRoot, path));

    /// <summary>The current directory or one of its parents holding config/edgevision.json; else the build output.</summary>
    public static AgentPaths Discover()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, DefaultConfigRelative)))
                {
                    return new AgentPaths(dir.FullName);
                }
            }
        }

        return new AgentPaths(AppContext.BaseDirectory);
    }
}
