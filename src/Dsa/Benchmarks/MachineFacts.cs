using System.Globalization;
using System.Runtime.InteropServices;

namespace Dsa.Benchmarks;

/// <summary>
/// What a benchmark's numbers depend on, written beside them: the CPU, its logical cores, the load when the run
/// started (the machine may be shared), the OS and .NET runtime, and libtorch's set-up (backend, threads, whether
/// oneDNN convolutions are on; null for a benchmark that never starts libtorch, such as `dsa bench eval`).
/// </summary>
public sealed record MachineFacts(string Cpu, int LogicalCores, double? LoadAverage, string Os, string DotnetRuntime, string? Torch, DateTime StartedUtc)
{
    /// <param name="describeTorch">Also describe libtorch (this loads it).</param>
    public static MachineFacts Read(bool describeTorch) => new(CpuModel(), Environment.ProcessorCount, LoadAverage1Minute(),
        RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, describeTorch ? TorchRuntime.Describe() : null, DateTime.UtcNow);

    /// <summary>/proc/loadavg's 1-minute value; null where there is none.</summary>
    public static double? LoadAverage1Minute()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The first "model name" of /proc/cpuinfo, else the process architecture.</summary>
    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
