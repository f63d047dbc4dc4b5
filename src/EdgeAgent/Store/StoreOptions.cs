namespace EdgeVision.EdgeAgent.Store;

/// <summary>The on-device history, section <c>Store</c>: every event and the counts over time, in SQLite.</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Store";

    public bool Enabled { get; set; } = true;

    /// <summary>The database file; empty: <c>edgevision.db</c> in the state directory.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Events and count samples older than this are removed.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Past this size the oldest events and samples are removed until it fits again (at least 1 MB).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Every count is written when it changes and again at least this often, so a chart has points in quiet hours.</summary>
    public TimeSpan CountInterval { get; set; } = TimeSpan.FromSeconds(60);

    public static List<string> Validate(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string s = SectionName;
        if (!options.Enabled)
        {
            return errors;
        }

        if ((options.Path ?? string.Empty).Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{s}:Path: must not contain NUL");
        }

        if (options.MaxAge < TimeSpan.FromMinutes(1) || options.MaxAge > TimeSpan.FromDays(3650))
        {
            errors.Add($"{s}:MaxAge: must be 00:01:00 to 3650.00:00:00, found {options.MaxAge}");
        }

        if (options.MaxBytes < 1024 * 1024)
        {
            errors.Add($"{s}:MaxBytes: must be at least 1048576 (1 MB), found {options.MaxBytes}");
        }

        if (options.CountInterval < TimeSpan.FromSeconds(1) || options.CountInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:CountInterval: must be 00:00:01 to 01:00:00, found {options.CountInterval}");
        }

        return errors;
    }
}
