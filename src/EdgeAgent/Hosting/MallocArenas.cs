using System.Runtime.InteropServices;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>What <see cref="MallocArenas.Limit"/> did.</summary>
internal enum MallocArenaLimit
{
    /// <summary>glibc now creates at most the given number of arenas.</summary>
    Applied,

    /// <summary>MALLOC_ARENA_MAX is set in the environment: glibc has applied it, and it stays.</summary>
    LeftToEnvironment,

    /// <summary>Not Linux with glibc: nothing changed.</summary>
    Unavailable,
}

/// <summary>
/// Caps glibc's malloc arenas for the process. glibc gives threads that allocate at the same time arenas of their
/// own, up to 8 per core; ONNX Runtime, FFmpeg's decoder threads and OpenCV allocate and free large buffers from
/// many threads, and memory freed in one arena is not reused by another, so the resident size of a long run keeps
/// creeping up. Measured in the soak (README): about 1 MB a minute with the default, flat after the first minutes
/// with two arenas. Called first thing in Main, before those threads exist; the runtime's own threads may already
/// have arenas by then, so MALLOC_ARENA_MAX in the environment (the systemd unit and scripts/run.sh set it) is the
/// stronger form, and this cap the fallback for an agent started by hand.
/// </summary>
internal static partial class MallocArenas
{
    /// <summary>The cap the agent runs with unless MALLOC_ARENA_MAX says otherwise.</summary>
    public const int Default = 2;

    // M_ARENA_MAX in glibc's malloc.h.
    private const int ArenaMaxParameter = -8;

    public static MallocArenaLimit Limit(int arenas = Default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(arenas);
        if (!OperatingSystem.IsLinux())
        {
            return MallocArenaLimit.Unavailable;
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX")))
        {
            return MallocArenaLimit.LeftToEnvironment;
        }

        try
        {
            // mallopt returns 1 on success, 0 on an error.
            return MallOpt(ArenaMaxParameter, arenas) == 1 ? MallocArenaLimit.Applied : MallocArenaLimit.Unavailable;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return MallocArenaLimit.Unavailable; // musl and others: no mallopt, and no per-thread arenas to cap
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
