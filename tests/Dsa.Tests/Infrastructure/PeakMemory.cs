namespace Dsa.Tests.Infrastructure;

/// <summary>
/// How much the test process's resident memory rose at its peak during an action: Linux's VmHWM
/// (which counts libtorch's native allocations, not only the GC heap) is reset by writing "5" to
/// /proc/self/clear_refs, then read after the action, minus VmRSS before it. It measures this process
/// only, so other jobs on a shared machine do not disturb it; tests that use it run in
/// <see cref="MemoryMeasurementCollection"/>, one at a time, so no other test allocates meanwhile.
/// </summary>
public static class PeakMemory
{
    public static long RiseDuring(Action action)
    {
        Skip.IfNot(File.Exists("/proc/self/clear_refs"), "peak memory needs Linux /proc/self/clear_refs");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Status("VmRSS:");
        File.WriteAllText("/proc/self/clear_refs", "5");
        action();
        return Status("VmHWM:") - before;
    }

    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}

/// <summary>Tests that measure the process's peak memory run alone.</summary>
[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection;
