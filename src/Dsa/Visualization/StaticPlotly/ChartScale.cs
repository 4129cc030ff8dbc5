using System.Globalization;

namespace Dsa.Visualization.StaticPlotly;

/// <summary>
/// A value axis of a static chart: maps data values (linear, or log10 as on a plotly.js
/// type "log" axis) to pixels and picks "nice" tick values (1, 2, 5 x 10^k steps; decades on log axes).
/// </summary>
internal sealed class ChartScale
{
    private readonly double low, high; // in axis units: value, or log10(value) on a log axis
    private readonly float pixelLow, pixelHigh;

    public bool Log { get; }

    private ChartScale(double low, double high, bool log, float pixelLow, float pixelHigh)
    {
        (this.low, this.high, Log, this.pixelLow, this.pixelHigh) = (low, high, log, pixelLow, pixelHigh);
    }

    /// <summary>
    /// A scale spanning <paramref name="values"/> (non-finite ones ignored, and non-positive ones on a
    /// log axis), widened by <paramref name="padding"/> of the span on each side; with
    /// <paramref name="includeZero"/> (bars grow from 0) the linear range reaches 0 and is not padded below it.
    /// </summary>
    public static ChartScale Fit(IEnumerable<double> values, bool log, bool includeZero, double padding, float pixelLow, float pixelHigh)
    {
        var used = values.Where(double.IsFinite).Where(v => !log || v > 0).Select(v => log ? Math.Log10(v) : v).ToList();
        if (used.Count == 0) used.AddRange([0.0, 1.0]); // nothing to show: an empty unit range (one decade on a log axis)
        double lo = used.Min(), hi = used.Max();
        bool zeroFloor = includeZero && !log && lo >= 0;
        bool zeroCeiling = includeZero && !log && hi <= 0;
        if (includeZero && !log) { lo = Math.Min(lo, 0); hi = Math.Max(hi, 0); }
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { double half = log ? 0.5 : Math.Max(Math.Abs(hi) * 0.1, 0.5); lo -= half; hi += half; }
        double pad = (hi - lo) * padding;
        if (!zeroFloor) lo -= pad;
        if (!zeroCeiling) hi += pad;
        return new ChartScale(lo, hi, log, pixelLow, pixelHigh);
    }

    public float Map(double value)
    {
        double v = Log ? (value > 0 ? Math.Log10(value) : double.NegativeInfinity) : value;
        return (float)(pixelLow + (v - low) / (high - low) * (pixelHigh - pixelLow));
    }

    /// <summary>Tick values inside the range with their labels, about <paramref name="target"/> of them.</summary>
    public IReadOnlyList<(double Value, string Label)> Ticks(int target)
    {
        target = Math.Max(2, target);
        if (Log)
        {
            var decades = Enumerable.Range((int)Math.Ceiling(low - 1e-9), Math.Max(0, (int)Math.Floor(high + 1e-9) - (int)Math.Ceiling(low - 1e-9) + 1))
                .Select(e => Math.Pow(10, e)).ToList();
            var values = decades;
            if (decades.Count < 3)
            {
                // Under ~2 decades, plotly.js labels 2x and 5x too; under one decade, fall back to linear steps.
                values = Enumerable.Range((int)Math.Floor(low) - 1, (int)Math.Ceiling(high) - (int)Math.Floor(low) + 2)
                    .SelectMany(e => new[] { 1.0, 2, 5 }.Select(m => m * Math.Pow(10, e)))
                    .Where(v => Math.Log10(v) >= low - 1e-9 && Math.Log10(v) <= high + 1e-9).ToList();
                if (values.Count < 3) values = LinearTicks(Math.Pow(10, low), Math.Pow(10, high), target).ToList();
            }
            bool exponent = values.Any(v => v < 1e-3 || v >= 1e5);
            return values.Select(v => (v, exponent ? v.ToString("0.##e0", CultureInfo.InvariantCulture) : v.ToString("G6", CultureInfo.InvariantCulture))).ToList();
        }
        double step = NiceStep((high - low) / target);
        var ticks = LinearTicks(low, high, target).ToList();
        return ticks.Select(v => (v, FormatLinear(v, step, Math.Max(Math.Abs(low), Math.Abs(high))))).ToList();
    }

    private static IEnumerable<double> LinearTicks(double lo, double hi, int target)
    {
        double step = NiceStep((hi - lo) / target);
        for (double k = Math.Ceiling(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
            yield return Math.Abs(k) < 1e-9 ? 0 : k * step;
    }

    /// <summary>The smallest of 1, 2, 5 x 10^k at least <paramref name="raw"/>.</summary>
    private static double NiceStep(double raw)
    {
        double decade = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var m in new[] { 1.0, 2, 5, 10 })
            if (m * decade >= raw * (1 - 1e-9)) return m * decade;
        return 10 * decade;
    }

    private static string FormatLinear(double value, double step, double magnitude)
    {
        if (value == 0) return "0";
        // Tiny values (learning rates) read better as 2e-4 than 0.0002; otherwise as many decimals as the step needs.
        if (magnitude < 1e-3 || magnitude >= 1e6) return value.ToString("0.##e0", CultureInfo.InvariantCulture);
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        if (Math.Abs(step * Math.Pow(10, decimals) - Math.Round(step * Math.Pow(10, decimals))) > 1e-6) decimals++;
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
