namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Where the agent keeps what must outlive a restart (snapshots, the MQTT outbox): systemd's
/// <c>$STATE_DIRECTORY</c> (from <c>StateDirectory=</c> in the unit; the first one when several are listed), else
/// <c>~/.local/state/edgevision</c>, the XDG state location.
/// </summary>
internal static class StateDirectory
{
    public static string Root =>
        Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state
            ? state.Split(':')[0]
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "edgevision");

    public static string Combine(string name) => Path.Combine(Root, name);
}
