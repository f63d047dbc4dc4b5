namespace EdgeVision.EdgeAgent;

/// <summary>
/// An error in what a command was given (an argument, the configuration, a file), shown as a single line
/// without a stack trace. <see cref="ExitCode"/> is the process exit code the command returns for it; the
/// libraries' own exceptions get theirs in <see cref="CommandLine"/>.
/// </summary>
internal sealed class UserFacingException : Exception
{
    public UserFacingException(string message, int exitCode = 1, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>2 for usage and configuration errors, 1 for everything else.</summary>
    public int ExitCode { get; }
}
