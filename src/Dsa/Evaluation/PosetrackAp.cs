using Dsa.Data;
using Dsa.Data.Formats;

namespace Dsa.Evaluation;

/// <summary>
/// The official PoseTrack multi-person pose AP (poseval, leonid-pishchulin/poseval 4258a15:
/// eval_helpers.load_data_dir / cleanupData / removeIgnoredPoints / assignGTmulti and
/// evaluateAP.computeMetrics), reproduced rule by rule in double precision. The rule numbers in
/// the comments are those of shared/fixtures/posetrack/README.md, section 3.
/// </summary>
public static class PosetrackAp
{
    /// <summary>PCKh threshold: a joint matches when distance / head size &lt;= 0.5 (rule 8).</summary>
    public const double DistanceThreshold = 0.5;

    /// <summary>Score of a predicted point without one (poseval's MIN_SCORE, rule 6).</summary>
    public const double MissingScore = -9999;

    /// <summary>poseval's head size is 0.6 x the head box diagonal (getHeadSize, rule 7).</summary>
    public const double HeadSizeFactor = 0.6;

    private const int J = 15;

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
        var gt = PoseTrackReader.ReadFolder(gtDir);
        if (gt.Count == 0) throw new InvalidDataException($"{gtDir}: GT folder holds no *.json file");
        var predictions = new List<VideoAnnotation>(gt.Count);
        foreach (var video in gt)
        {
            string predPath = Path.Combine(predDir, video.Name);
            if (!File.Exists(predPath))
                throw new InvalidDataException($"{predPath}: prediction file for GT {video.SourcePath ?? video.Name} does not exist");
            predictions.Add(PoseTrackReader.ReadVideo(predPath));
        }
        return (gt, predictions);
    }

    /// <summary>
    /// Evaluates in-memory videos: each GT video is paired with the prediction video of the same
    /// <see cref="VideoAnnotation.Name"/> (predictions for videos without GT are ignored, as
    /// poseval ignores extra files); frames are paired by position (rule 1).
    /// </summary>
    public static ApResult Evaluate(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions)
    {
        var byName = new Dictionary<string, VideoAnnotation>(StringComparer.Ordinal);
        foreach (var p in predictions)
            if (!byName.TryAdd(p.Name, p)) throw new ArgumentException($"{p.SourcePath ?? p.Name}: two prediction videos are named '{p.Name}'");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var perVideo = new List<(string Name, Accumulator Acc)>();
        foreach (var gt in groundTruth)
        {
            if (!seen.Add(gt.Name)) throw new ArgumentException($"{gt.SourcePath ?? gt.Name}: two GT videos are named '{gt.Name}'");
            if (!byName.TryGetValue(gt.Name, out var pred))
                throw new InvalidDataException($"{gt.SourcePath ?? gt.Name}: no prediction video named '{gt.Name}'");
            var acc = new Accumulator();
            AccumulateVideo(gt, pred, acc);
            perVideo.Add((gt.Name, acc));
        }
        var pooled = new Accumulator();
        foreach (var (_, acc) in perVideo) pooled.Append(acc);
        var videos = new Dictionary<string, ApResult>(StringComparer.Ordinal);
        foreach (var (name, acc) in perVideo) videos[name] = acc.ToResult(new Dictionary<string, ApResult>());
        return pooled.ToResult(videos);
    }

    /// <summary>Scores and labels per joint, in the order poseval appends them.</summary>
    private sealed class Accumulator
    {
        public readonly List<double>[] Scores = NewLists<double>();
        public readonly List<bool>[] Labels = NewLists<bool>();
        public readonly int[] GtJoints = new int[J];
        public int Frames;

        private static List<T>[] NewLists<T>()
        {
            var a = new List<T>[J];
            for (int j = 0; j < J; j++) a[j] = new List<T>();
            return a;
        }

        public void Add(int joint, double score, bool truePositive)
        {
            Scores[joint].Add(score);
            Labels[joint].Add(truePositive);
        }

        public void Append(Accumulator other)
        {
            for (int j = 0; j < J; j++)
            {
                Scores[j].AddRange(other.Scores[j]);
                Labels[j].AddRange(other.Labels[j]);
                GtJoints[j] += other.GtJoints[j];
            }
            Frames += other.Frames;
        }

        public ApResult ToResult(IReadOnlyDictionary<string, ApResult> perVideo)
        {
            var ap = new double[J];
            var pre = new double[J];
            var rec = new double[J];
            var predicted = new int[J];
            var tp = new int[J];
            var unscored = new int[J];
            var unscoredTp = new int[J];
            for (int j = 0; j < J; j++)
            {
                (ap[j], pre[j], rec[j]) = AveragePrecision(Scores[j], Labels[j], GtJoints[j]);
                predicted[j] = Scores[j].Count;
                for (int i = 0; i < Scores[j].Count; i++)
                {
                    bool isUnscored = Scores[j][i] == MissingScore;
                    if (Labels[j][i]) tp[j]++;
                    if (isUnscored) unscored[j]++;
                    if (isUnscored && Labels[j][i]) unscoredTp[j]++;
                }
            }
            return new ApResult(ap, pre, rec, JointColumns.Of(ap),
                JointColumns.MeanIgnoringNaN(ap), JointColumns.MeanIgnoringNaN(pre), JointColumns.MeanIgnoringNaN(rec),
                Frames, (int[])GtJoints.Clone(), predicted, tp, unscored, unscoredTp, perVideo);
        }
    }

    /// <summary>A rect that survived rules 3-4, with its first point per joint id (rule 5).</summary>
    private readonly record struct Rect(int Index, AnnotatedPoint?[] Joints, Box? HeadBox);

    private static void AccumulateVideo(VideoAnnotation gt, VideoAnnotation pred, Accumulator acc)
    {
        string gtFile = gt.SourcePath ?? gt.Name;
        string predFile = pred.SourcePath ?? pred.Name;
        if (gt.Frames.Count != pred.Frames.Count)
            throw new InvalidDataException(
                $"{predFile}: {pred.Frames.Count} prediction frames but the GT {gtFile} has {gt.Frames.Count} (frames are paired by position)");
        for (int f = 0; f < gt.Frames.Count; f++)
        {
            var gtFrame = gt.Frames[f];
            var predFrame = pred.Frames[f];
            CheckPredictionFrame(predFrame, $"{predFile}: frame {f} ({predFrame.ImagePath})");
            // Rule 2: a GT frame without people is dropped with its predictions (is_labeled is never read).
            if (gtFrame.People.Count == 0) continue;
            acc.Frames++;
            var polygons = gtFrame.IgnoreRegions;
            var gtRects = Rects(gtFrame, polygons);
            var prRects = Rects(predFrame, polygons);
            string where = $"{gtFile}: frame {f} ({gtFrame.ImagePath})";
            AccumulateFrame(gtRects, prRects, acc, where);
        }
    }

    /// <summary>poseval raises on non-unique prediction track ids in a frame and on ids &gt;= 10000;
    /// a prediction score must be a number.</summary>
    private static void CheckPredictionFrame(FrameAnnotation frame, string where)
    {
        HashSet<int>? tracks = null;
        for (int p = 0; p < frame.People.Count; p++)
        {
            var person = frame.People[p];
            if (person.TrackId is int t)
            {
                tracks ??= new HashSet<int>();
                if (t >= 10000) throw new InvalidDataException($"{where}, person {p}: track_id {t} is >= 10000 (poseval's MAX_TRACK_ID)");
                if (!tracks.Add(t)) throw new InvalidDataException($"{where}, person {p}: track_id {t} is not unique in the frame");
            }
            if (person.Points is null) continue;
            foreach (var pt in person.Points)
                if (pt.Score is double s && !double.IsFinite(s))
                    throw new InvalidDataException($"{where}, person {p}, point id {pt.Id}: score {s} is not finite");
        }
    }

    /// <summary>Rules 3-5: rects without a point list go; with ignore regions, points strictly
    /// inside one go and then rects left without points go.</summary>
    private static List<Rect> Rects(FrameAnnotation frame, IReadOnlyList<Polygon> polygons)
    {
        var rects = new List<Rect>(frame.People.Count);
        for (int r = 0; r < frame.People.Count; r++)
        {
            var person = frame.People[r];
            if (person.Points is null) continue;
            if (polygons.Count == 0)
            {
                rects.Add(new Rect(r, person.JointArray(J), person.HeadBox));
                continue;
            }
            var kept = person.Points.Where(p => !polygons.Any(poly => StrictlyInside(poly, p.X, p.Y))).ToList();
            if (kept.Count == 0) continue;
            rects.Add(new Rect(r, (person with { Points = kept }).JointArray(J), person.HeadBox));
        }
        return rects;
    }

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

    /// <summary>Rules 8-13 for one frame (assignGTmulti).</summary>
    private static void AccumulateFrame(List<Rect> gtRects, List<Rect> prRects, Accumulator acc, string where)
    {
        int nG = gtRects.Count, nP = prRects.Count;
        var nGtJoints = new int[nG];
        for (int g = 0; g < nG; g++)
            for (int j = 0; j < J; j++)
                if (gtRects[g].Joints[j] is not null) { nGtJoints[g]++; acc.GtJoints[j]++; }
        if (nP == 0) return; // rule 12: GT without predictions adds only its GT count
        var matchedGt = new int[nP];
        Array.Fill(matchedGt, -1);
        var match = new bool[nP, nG, J];
        if (nG > 0)
        {
            var pck = new double[nP, nG];
            for (int g = 0; g < nG; g++)
            {
                if (nGtJoints[g] == 0) continue; // no joint can match: pck stays 0 (poseval leaves the count, 0)
                double headSize = HeadSize(gtRects[g], where);
                for (int p = 0; p < nP; p++)
                {
                    int count = 0;
                    for (int j = 0; j < J; j++)
                    {
                        var a = gtRects[g].Joints[j];
                        var b = prRects[p].Joints[j];
                        if (a is null || b is null) continue;
                        double dx = a.X - b.X, dy = a.Y - b.Y;
                        double d = Math.Sqrt(dx * dx + dy * dy) / headSize;
                        if (d <= DistanceThreshold) { match[p, g, j] = true; count++; }
                    }
                    pck[p, g] = 1.0 * count / nGtJoints[g];
                }
            }
            // Rule 10a: each prediction keeps only its best GT (first maximum = lowest GT index).
            for (int p = 0; p < nP; p++)
            {
                int best = 0;
                for (int g = 1; g < nG; g++)
                    if (pck[p, g] > pck[p, best]) best = g;
                for (int g = 0; g < nG; g++)
                    if (g != best) pck[p, g] = 0;
            }
            // Rule 10b: each GT takes the prediction with the highest remaining pck (first maximum);
            // a maximum of 0 leaves it unmatched.
            for (int g = 0; g < nG; g++)
            {
                int best = 0;
                for (int p = 1; p < nP; p++)
                    if (pck[p, g] > pck[best, g]) best = p;
                if (pck[best, g] != 0) matchedGt[best] = g;
            }
        }
        // Rule 11 (and 12 when there is no GT): label every predicted joint.
        for (int p = 0; p < nP; p++)
        {
            int g = matchedGt[p];
            for (int j = 0; j < J; j++)
            {
                if (prRects[p].Joints[j] is not AnnotatedPoint pt) continue;
                acc.Add(j, pt.Score ?? MissingScore, g >= 0 && match[p, g, j]);
            }
        }
    }

    private static double HeadSize(Rect gt, string where)
    {
        if (gt.HeadBox is not Box h)
            throw new InvalidDataException($"{where}, GT person {gt.Index}: no head box (x1..y2 / bbox_head), which PCKh needs");
        double dx = h.X2 - h.X1, dy = h.Y2 - h.Y1;
        double size = HeadSizeFactor * Math.Sqrt(dx * dx + dy * dy);
        if (!double.IsFinite(size))
            throw new InvalidDataException($"{where}, GT person {gt.Index}: head box ({h.X1}, {h.Y1}, {h.X2}, {h.Y2}) is too large: its diagonal is not a finite number");
        if (!(size > 0))
            throw new InvalidDataException($"{where}, GT person {gt.Index}: head box ({h.X1}, {h.Y1}, {h.X2}, {h.Y2}) has zero size");
        return size;
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
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = new double[n];
        for (int i = 0; i < n; i++) keys[i] = -scores[i];
        // Array.Sort is unstable; sort (key, index) pairs so equal scores keep their order.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
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
}
