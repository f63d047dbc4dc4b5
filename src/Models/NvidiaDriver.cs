namespace EdgeVision.Models;

/// <summary>Whether this machine has an NVIDIA driver at all: without one, the GPU providers cannot load and are not tried.</summary>
internal static class NvidiaDriver
{
    /// <summary>The kernel module's /proc entry, or the control device a container is given (either is enough).</summary>
    public static bool IsPresent() => Directory.Exists("/proc/driver/nvidia") || File.Exists("/dev/nvidiactl");
}
