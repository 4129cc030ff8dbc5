using System.Diagnostics;

namespace Dsa.Benchmarks;

/// <summary>What <see cref="StepTimer.Measure"/> saw: median and fastest of the timed runs, and whether the peak-memory counter was reset before them.</summary>
public sealed record StepTiming(double MedianSeconds, double FastestSeconds, bool PeakReset);

/// <summary>
/// The benchmarks' one measuring protocol: <c>warmup</c> untimed runs, then the peak resident set
/// is reset and <c>repeats</c> runs are timed; the median is reported (robust to one slow run on a
/// shared machine).
/// </summary>
public static class StepTimer
{
    public static StepTiming Measure(Action step, int warmup, int repeats)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "at least one timed run");
        for (int i = 0; i < warmup; i++) step();
        bool reset = PeakResidentSet.TryReset();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            step();
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        double median = repeats % 2 == 1 ? times[repeats / 2] : 0.5 * (times[repeats / 2 - 1] + times[repeats / 2]);
        return new StepTiming(median, times[0], reset);
    }
}
