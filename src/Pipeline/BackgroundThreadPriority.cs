using System.Runtime.InteropServices;

namespace EdgeVision.Pipeline;

/// <summary>
/// Lowers the scheduling priority (nice value) of the calling thread on Linux. Capture threads decode video
/// on the same cores as inference; with a higher nice value they take the CPU inference leaves idle instead
/// of preempting it, which keeps inference latency steady. Raising a nice value needs no privileges.
/// .NET's <see cref="Thread.Priority"/> does not change scheduling on Linux, hence the system call.
/// </summary>
internal static partial class BackgroundThreadPriority
{
    private const int PriorityProcess = 0;

    public static void Lower(int nice)
    {
        if (!OperatingSystem.IsLinux() || nice <= 0)
        {
            return;
        }

        try
        {
            // PRIO_PROCESS with a thread id sets that one thread's nice value on Linux.
            _ = SetPriority(PriorityProcess, GetThreadId(), nice);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the thread keeps its priority, nothing else changes.
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
