using System.Diagnostics;

namespace Dsa.Benchmarks;

/// <summary>
/// What <see cref="StepTimer.Measure"/> saw: median and fastest of the timed runs, and whether the peak-memory counter was
/// reset before them; <see cref="StepTimer.MeasureAlternating"/> also gives each step's own peak resident set.
/// </summary>
public sealed record StepTiming(double MedianSeconds, double FastestSeconds, bool PeakReset, long? PeakResidentBytes = null);

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
        return Summarise(times, reset);
    }

    /// <summary>
    /// Several implementations of one step, timed side by side: each is warmed up and its peak resident set read over
    /// one more untimed run (in the given order, the counter reset before each), then the timed runs alternate
    /// (1, 2, ..., 1, 2, ...), so that a shared machine's load changes affect all of them alike and their ratio holds.
    /// </summary>
    public static IReadOnlyList<StepTiming> MeasureAlternating(IReadOnlyList<Action> steps, int warmup, int repeats)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "at least one timed run");
        var peaks = new long[steps.Count];
        var resets = new bool[steps.Count];
        for (int s = 0; s < steps.Count; s++)
        {
            for (int i = 0; i < warmup; i++) steps[s]();
            resets[s] = PeakResidentSet.TryReset();
            steps[s]();
            peaks[s] = PeakResidentSet.Read();
        }
        var times = new double[steps.Count][];
        for (int s = 0; s < steps.Count; s++) times[s] = new double[repeats];
        for (int i = 0; i < repeats; i++)
            for (int s = 0; s < steps.Count; s++)
            {
                var watch = Stopwatch.StartNew();
                steps[s]();
                times[s][i] = watch.Elapsed.TotalSeconds;
            }
        return Enumerable.Range(0, steps.Count).Select(s => Summarise(times[s], resets[s]) with { PeakResidentBytes = peaks[s] }).ToList();
    }

    private static StepTiming Summarise(double[] times, bool reset) => new(Median(times), times.Min(), reset);

    /// <summary>The median (the mean of the two middle values for an even count): every benchmark's summary.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) throw new ArgumentException("no values", nameof(values));
        int n = v.Length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
