using System.Runtime.InteropServices;

namespace EdgeVision.Models;

/// <summary>
/// CPU affinity of the calling thread on Linux (sched_getaffinity / sched_setaffinity with thread id 0).
/// Keeping inference on CPUs that video decoding never runs on is what keeps its time steady on a small
/// machine: a decoder thread that preempts inference adds its whole slice to that frame's latency.
/// Threads a pinned thread creates (FFmpeg's decoder threads, an ffmpeg child process) inherit its set.
/// </summary>
public static partial class CpuAffinity
{
    /// <summary>Words of glibc's cpu_set_t: 1024 CPUs.</summary>
    public const int MaskWords = 16;

    public const int MaxCpus = MaskWords * 64;

    /// <summary>The CPUs this process may run on (its calling thread's set), in order; empty where unknown (not Linux).</summary>
    public static IReadOnlyList<int> Available()
    {
        Span<ulong> mask = stackalloc ulong[MaskWords];
        if (!TryGet(mask))
        {
            return [];
        }

        var cpus = new List<int>();
        for (var cpu = 0; cpu < MaxCpus; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                cpus.Add(cpu);
            }
        }

        return cpus;
    }

    /// <summary>"CPU 5 is not available to this process (available: 0, 1)" for each listed CPU the process cannot use; empty when all can be used or nothing is listed.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyCollection<int>? cpus)
    {
        if (cpus is not { Count: > 0 })
        {
            return [];
        }

        var errors = new List<string>();
        var available = Available();
        foreach (var cpu in cpus)
        {
            if (cpu is < 0 or >= MaxCpus)
            {
                errors.Add($"CPU {cpu} is not a CPU number (0 to {MaxCpus - 1})");
            }
            else if (available.Count > 0 && !available.Contains(cpu))
            {
                errors.Add($"CPU {cpu} is not available to this process (available: {string.Join(", ", available)})");
            }
        }

        if (cpus.Distinct().Count() != cpus.Count)
        {
            errors.Add("a CPU is listed twice");
        }

        return errors;
    }

    /// <summary>Fills <paramref name="mask"/> (<see cref="MaskWords"/> words) with the set of <paramref name="cpus"/>.</summary>
    public static void ToMask(IEnumerable<int> cpus, Span<ulong> mask)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        ArgumentOutOfRangeException.ThrowIfLessThan(mask.Length, MaskWords);
        mask.Clear();
        foreach (var cpu in cpus)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(cpu);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, MaxCpus);
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }
    }

    /// <summary>Reads the calling thread's set into <paramref name="mask"/>; false where that is not possible.</summary>
    public static bool TryGet(Span<ulong> mask)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mask.Length, MaskWords);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return GetAffinity(0, MaskWords * sizeof(ulong), ref MemoryMarshal.GetReference(mask)) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Moves the calling thread onto the CPUs of <paramref name="mask"/>; false where that is not possible.</summary>
    public static bool TrySet(ReadOnlySpan<ulong> mask)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mask.Length, MaskWords);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return SetAffinity(0, MaskWords * sizeof(ulong), in MemoryMarshal.GetReference(mask)) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Moves the calling thread onto <paramref name="cpus"/>; false where that is not possible.</summary>
    public static bool TryPin(IEnumerable<int> cpus)
    {
        Span<ulong> mask = stackalloc ulong[MaskWords];
        ToMask(cpus, mask);
        return TrySet(mask);
    }

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int GetAffinity(int pid, nuint size, ref ulong mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SetAffinity(int pid, nuint size, in ulong mask);
}
