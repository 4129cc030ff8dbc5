using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>The paper's 7 columns from per-joint values (the skeleton's report groups; PoseTrack's 15 joints by default), as poseval's getCum computes them.</summary>
internal static class JointColumns
{
    /// <summary>Plain mean per report group (a NaN joint makes its column NaN unless
    /// <paramref name="ignoreNaN"/>), in
    /// <see cref="Skeleton.ReportColumns"/> order; Head averages head_top, neck, nose in that order.</summary>
    public static IReadOnlyDictionary<string, double> Of(IReadOnlyList<double> perJoint, Skeleton? skeleton = null, bool ignoreNaN = false)
    {
        var result = new Dictionary<string, double>();
        foreach (var (column, joints) in (skeleton ?? Skeleton.PoseTrack).ReportGroups)
        {
            var values = joints.Select(j => perJoint[j]).ToArray();
            double sum = 0;
            foreach (double v in values) sum += v; // left to right, as numpy's mean of 2-3 values
            result[column] = ignoreNaN ? MeanIgnoringNaN(values) : sum / values.Length;
        }
        return result;
    }

    /// <summary>Mean of the values that are not NaN (NaN when all are), as evaluateAP's total.</summary>
    public static double MeanIgnoringNaN(IReadOnlyList<double> values)
    {
        double sum = 0;
        int n = 0;
        foreach (double v in values)
            if (!double.IsNaN(v)) { sum += v; n++; }
        return n == 0 ? double.NaN : sum / n;
    }
}
