using Dsa.Data;
using Dsa.Data.Formats;

namespace Dsa.Evaluation;

/// <summary>
/// poseval's constants and one-call entry points for the PoseTrack AP; the rules themselves are in
/// <see cref="PosetrackApMetric"/> (rule numbers: shared/fixtures/posetrack/README.md, section 3).
/// </summary>
public static class PosetrackAp
{
    /// <summary>PCKh threshold: a joint matches when distance / head size &lt;= 0.5 (rule 8).</summary>
    public const double DistanceThreshold = 0.5;

    /// <summary>Score of a predicted point without one (poseval's MIN_SCORE, rule 6).</summary>
    public const double MissingScore = -9999;

    /// <summary>poseval's head size is 0.6 x the head box diagonal (getHeadSize, rule 7).</summary>
    public const double HeadSizeFactor = 0.6;

    /// <summary>
    /// Evaluates every *.json of <paramref name="gtDir"/> against the file of the same name in
    /// <paramref name="predDir"/> (each file PoseTrack 2017 or 2018, detected per file).
    /// </summary>
    public static ApResult EvaluateFolders(string gtDir, string predDir)
    {
        var (gt, predictions) = ReadFolders(gtDir, predDir);
        return Evaluate(gt, predictions);
    }

    /// <summary>
    /// Reads the GT folder and, for each GT file, the prediction file of the same name (poseval's
    /// load_data_dir pairing); a missing prediction file is an error naming it.
    /// </summary>
    public static (IReadOnlyList<VideoAnnotation> GroundTruth, IReadOnlyList<VideoAnnotation> Predictions) ReadFolders(string gtDir, string predDir)
    {
        if (!Directory.Exists(gtDir)) throw new DirectoryNotFoundException($"{gtDir}: GT folder does not exist");
        if (!Directory.Exists(predDir)) throw new DirectoryNotFoundException($"{predDir}: prediction folder does not exist");
        var gtPaths = Directory.GetFiles(gtDir, "*.json").OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        if (gtPaths.Count == 0) throw new InvalidDataException($"{gtDir}: GT folder holds no *.json file");
        var predPaths = gtPaths.Select(path => Path.Combine(predDir, Path.GetFileName(path))).ToList();
        // Both folders in one pass, up to the first missing prediction file: a bad GT file is reported first, then a
        // bad prediction file before the missing one, then the missing one, as reading the GT folder and then each
        // prediction in turn would.
        int missing = predPaths.FindIndex(path => !File.Exists(path));
        var videos = PoseTrackReader.ReadVideos(gtPaths.Concat(missing < 0 ? predPaths : predPaths.Take(missing)).ToList());
        var gt = videos.Take(gtPaths.Count).ToList();
        if (missing >= 0)
            throw new InvalidDataException($"{predPaths[missing]}: prediction file for GT {gt[missing].SourcePath ?? gt[missing].Name} does not exist");
        return (gt, videos.Skip(gtPaths.Count).ToList());
    }

    /// <summary>
    /// Evaluates in-memory videos: each GT video is paired with the prediction video of the same
    /// <see cref="VideoAnnotation.Name"/> (predictions for videos without GT are ignored, as
    /// poseval ignores extra files); frames are paired by position (rule 1).
    /// </summary>
    public static ApResult Evaluate(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions) =>
        new PosetrackApMetric().Evaluate(groundTruth, predictions);

    /// <summary>
    /// shapely's Polygon.contains for a point: inside the ring and not on its boundary (boundary
    /// points are kept by poseval). Even-odd crossing test over the closed ring; a ring of fewer than
    /// 3 vertices contains nothing.
    /// </summary>
    public static bool StrictlyInside(Polygon polygon, double x, double y)
    {
        var v = polygon.Vertices;
        int n = v.Count;
        if (n < 3) return false;
        bool inside = false;
        for (int i = 0, k = n - 1; i < n; k = i++)
        {
            var (xi, yi) = v[i];
            var (xk, yk) = v[k];
            // On the edge (collinear and within its extent): on the boundary, so not contained.
            double cross = (xk - xi) * (y - yi) - (yk - yi) * (x - xi);
            if (cross == 0 && x >= Math.Min(xi, xk) && x <= Math.Max(xi, xk) && y >= Math.Min(yi, yk) && y <= Math.Max(yi, yk))
                return false;
            if ((yi > y) != (yk > y))
            {
                double xCross = xi + (y - yi) * (xk - xi) / (yk - yi);
                if (x < xCross) inside = !inside;
            }
        }
        return inside;
    }

    /// <summary>
    /// Rules 14-18: rank by descending score (stable: ties keep the order of appending, where
    /// poseval's unstable quicksort leaves it unspecified), then VOC all-point AP.
    /// Returns (AP, precision at the last rank, recall at the last rank), in percent.
    /// </summary>
    internal static (double Ap, double Precision, double Recall) AveragePrecision(List<double> scores, List<bool> labels, int nGt)
    {
        int n = scores.Count;
        if (n == 0) return (0, 0, 0); // rule 18: nobody predicts the joint
        var keys = new double[n];
        for (int i = 0; i < n; i++) keys[i] = -scores[i];
        int[] order = StableOrder(keys);
        var mrec = new double[n + 2];
        var mpre = new double[n + 2];
        int tp = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[order[i]]) tp++;
            mrec[i + 1] = 1.0 * tp / nGt;         // nGt = 0: 0/0 = NaN, as numpy
            mpre[i + 1] = 1.0 * tp / (i + 1);
        }
        double precision = mpre[n], recall = mrec[n];
        mrec[n + 1] = 1.0;
        for (int i = n; i >= 0; i--) mpre[i] = Math.Max(mpre[i], mpre[i + 1]);
        double ap = 0;
        for (int i = 1; i <= n + 1; i++)
            if (!(mrec[i] == mrec[i - 1])) ap += (mrec[i] - mrec[i - 1]) * mpre[i]; // NaN != NaN: a NaN recall makes AP NaN
        return (ap * 100, precision * 100, recall * 100);
    }

    /// <summary>
    /// The indices of <paramref name="keys"/> by ascending key (double.CompareTo's order), equal keys in index order:
    /// a bottom-up merge sort, stable by construction. (Array.Sort with a comparison delegate that broke ties by index
    /// gives the same order, a test checks, but took about 40 % of the time of evaluating the 20 Bonn videos.)
    /// </summary>
    internal static int[] StableOrder(double[] keys)
    {
        int n = keys.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var merged = new int[n];
        for (int width = 1; width < n; width *= 2)
        {
            for (int lo = 0; lo < n; lo += 2 * width)
            {
                int mid = Math.Min(lo + width, n), hi = Math.Min(lo + 2 * width, n);
                int a = lo, b = mid, k = lo;
                // The right run's element goes first only when its key is strictly smaller: ties keep index order.
                while (a < mid && b < hi) merged[k++] = Before(keys[order[b]], keys[order[a]]) ? order[b++] : order[a++];
                while (a < mid) merged[k++] = order[a++];
                while (b < hi) merged[k++] = order[b++];
            }
            (order, merged) = (merged, order);
        }
        return order;
    }

    /// <summary>x.CompareTo(y) &lt; 0 for doubles: smaller, NaN before any number.</summary>
    private static bool Before(double x, double y) => x < y || (double.IsNaN(x) && !double.IsNaN(y));
}
