using System.Runtime.InteropServices;

namespace EdgeVision.Pipeline;

/// <summary>
/// Keeps OpenCV and FFmpeg from printing camera URLs — with their passwords — to standard error, where the agent
/// cannot mask them. Measured on this build: at OpenCV's defaults (FFmpeg at AV_LOG_ERROR, OpenCV at WARNING) a
/// refused or unresolvable rtsp:// or http:// URL prints nothing that names it, but OPENCV_VIDEOIO_DEBUG=1 prints
/// "trying capture filename='rtsp://user:password@…'" for every open, and FFmpeg's debug levels print requests.
/// So the agent removes the variables that raise those levels and caps OPENCV_LOG_LEVEL at WARNING, in the
/// native environment (OpenCV reads it with getenv; .NET's Environment.SetEnvironmentVariable changes only the
/// managed copy on Linux). Call it before anything loads OpenCV: some of these are read when the library loads.
/// </summary>
public static partial class NativeVideoLogging
{
    /// <summary>Variables that make OpenCV's video I/O or FFmpeg log at debug levels.</summary>
    public static readonly IReadOnlyList<string> Removed = ["OPENCV_VIDEOIO_DEBUG", "OPENCV_FFMPEG_DEBUG", "OPENCV_FFMPEG_LOGLEVEL"];

    public const string LogLevelVariable = "OPENCV_LOG_LEVEL";

    // OpenCV's names for the levels at or below WARNING (utils/logger.cpp accepts these spellings).
    private static readonly HashSet<string> QuietLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        "0", "1", "2", "3", "S", "SILENT", "DISABLED", "OFF", "F", "FATAL", "E", "ERROR", "W", "WARN", "WARNING",
    };

    /// <summary>Applies the limits to this process's native environment; false where that cannot be done (not Linux/glibc).</summary>
    public static bool Restrict()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            foreach (var name in Removed)
            {
                _ = UnsetEnvironment(name);
                Environment.SetEnvironmentVariable(name, null);
            }

            if (!QuietLevels.Contains(Environment.GetEnvironmentVariable(LogLevelVariable) ?? "WARNING"))
            {
                _ = SetEnvironment(LogLevelVariable, "WARNING", 1);
                Environment.SetEnvironmentVariable(LogLevelVariable, "WARNING");
            }

            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetEnvironment(string name);
}
