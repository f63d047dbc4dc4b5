using Microsoft.Extensions.Configuration;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Adds the JSON configuration file, turning a file that cannot be read as configuration — empty, not JSON, not an
/// object at the top, nested deeper than the reader's 64 levels — into one line that names the file and the
/// reader's reason (exit 2) instead of the provider's nested exceptions.
/// </summary>
internal static class ConfigurationFile
{
    /// <param name="configuration">A <see cref="ConfigurationManager"/> reads the file as it is added, so problems surface here.</param>
    public static void Add(ConfigurationManager configuration, string path)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            // The innermost reason is the reader's: "The maximum configured depth of 64 has been exceeded…",
            // "'0x00' is invalid within a JSON string…", with line and byte; it quotes one character at most.
            var reason = ex;
            while (reason.InnerException is not null)
            {
                reason = reason.InnerException;
            }

            var line = reason.Message.Split('\n', 2)[0].Trim();
            throw new UserFacingException($"invalid configuration file {path}: {line}", 2, ex);
        }
    }
}
