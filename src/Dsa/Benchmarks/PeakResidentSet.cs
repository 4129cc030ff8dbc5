namespace Dsa.Benchmarks;

/// <summary>
/// The process's peak resident set size (Linux /proc/self/status VmHWM), which covers libtorch's
/// native allocations (the GC heap alone would not). Writing "5" to /proc/self/clear_refs resets it
/// (Linux >= 4.0), which gives per-case peaks.
/// </summary>
internal static class PeakResidentSet
{
    public static bool TryReset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException) { return false; }
    }

    /// <summary>Peak resident bytes, or Environment's peak working set where /proc is unavailable.</summary>
    public static long Read()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException) { }
        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
