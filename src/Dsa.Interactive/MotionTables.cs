using Dsa.Data.Pipeline;
using Microsoft.Data.Analysis;

namespace Dsa.Interactive;

/// <summary>The motion regime of several data sets side by side (what `dsa data motion` prints), for notebook 02.</summary>
public static class MotionTables
{
    /// <summary>One row per report: heatmap size, then median / p90 displacement (heatmap px) at distance 1 and 2.</summary>
    public static DataFrame Compare(IReadOnlyDictionary<string, JointMotionReport> reports)
    {
        string Cell(JointMotionReport r, int d, Func<DisplacementDistribution, double> pick) =>
            r.ByDistance.Any(m => m.Offset == d) ? pick(r.AtDistance(d)).ToString("F2") : "";
        return new DataFrame(
            new StringDataFrameColumn("data", reports.Keys),
            new StringDataFrameColumn("heatmap (H x W)", reports.Values.Select(r => $"{r.HeatmapHeight}x{r.HeatmapWidth}")),
            new StringDataFrameColumn("±1 median (px)", reports.Values.Select(r => Cell(r, 1, m => m.Median))),
            new StringDataFrameColumn("±1 p90", reports.Values.Select(r => Cell(r, 1, m => m.P90))),
            new StringDataFrameColumn("±2 median (px)", reports.Values.Select(r => Cell(r, 2, m => m.Median))),
            new StringDataFrameColumn("±2 p90", reports.Values.Select(r => Cell(r, 2, m => m.P90))));
    }
}
