namespace EdgeVision.Models;

/// <summary>
/// An error caused by the user's input (a file, an option, a model) whose message is shown as a single
/// line, without a stack trace. <see cref="ExitCode"/> is the process exit code a command returns for it.
/// </summary>
public class UserFacingException : Exception
{
    public UserFacingException(string message, int exitCode = 1, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>2 for usage and configuration errors, 1 for everything else.</summary>
    public int ExitCode { get; }
}
