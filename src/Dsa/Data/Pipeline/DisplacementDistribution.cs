using System.Text.Json.Serialization;

namespace Dsa.Data.Pipeline;

/// <summary>
/// The distribution of joint displacements (heatmap pixels) for one supporting offset, or for both
/// directions of one distance pooled. Percentiles interpolate linearly (numpy's default).
/// </summary>
/// <param name="Histogram">Counts per bin [k * BinWidth, (k + 1) * BinWidth); the last entry counts everything at or above HistogramMax.</param>
public sealed record DisplacementDistribution(
    int Count, double Mean, double Median, double P75, double P90, double P99, double Max,
    double BinWidth, double HistogramMax, IReadOnlyList<int> Histogram)
{
    /// <summary>Every displacement, ascending (for plots; not written to JSON).</summary>
    [JsonIgnore]
    public IReadOnlyList<double> Sorted { get; init; } = Array.Empty<double>();

    public static DisplacementDistribution From(IEnumerable<double> values, double binWidth, double histogramMax)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int bins = (int)Math.Ceiling(histogramMax / binWidth);
        var histogram = new int[bins + 1];
        foreach (var v in sorted) histogram[v >= histogramMax ? bins : Math.Min(bins - 1, (int)(v / binWidth))]++;
        if (sorted.Length == 0)
            return new DisplacementDistribution(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, binWidth, histogramMax, histogram);
        double P(double p) => Percentile.OfSorted(sorted, p);
        return new DisplacementDistribution(sorted.Length, sorted.Average(), P(50), P(75), P(90), P(99), sorted[^1], binWidth, histogramMax, histogram)
        {
            Sorted = sorted,
        };
    }
}
