namespace Dsa.Data;

/// <summary>Percentiles of a sorted sample by linear interpolation between closest ranks (numpy's default, "linear").</summary>
public static class Percentile
{
    /// <param name="sorted">Ascending values; at least one.</param>
    /// <param name="p">Percent, 0..100.</param>
    public static double OfSorted(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) throw new ArgumentException("Percentile of an empty sample.", nameof(sorted));
        if (!(p >= 0 && p <= 100)) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in 0..100");
        double pos = p / 100 * (sorted.Count - 1);
        int i = (int)Math.Floor(pos);
        if (i >= sorted.Count - 1) return sorted[^1];
        return sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i);
    }
}
