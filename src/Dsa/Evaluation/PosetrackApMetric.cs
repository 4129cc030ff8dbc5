using System.Collections.Concurrent;
using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// The official PoseTrack multi-person pose AP as a metric object: <see cref="Add"/> each ground-truth video with
/// its predictions, then <see cref="Compute"/> pools them (poseval, leonid-pishchulin/poseval 4258a15:
/// eval_helpers.load_data_dir / cleanupData / removeIgnoredPoints / assignGTmulti and evaluateAP.computeMetrics),
/// reproduced rule by rule in double precision. The rule numbers in the comments are those of
/// shared/fixtures/posetrack/README.md, section 3. The joint count is the skeleton's (PoseTrack's 15 by default).
/// </summary>
public sealed class PosetrackApMetric : IPoseMetric<ApResult>
{
    private readonly int J;
    private readonly Skeleton skeleton;
    private readonly List<(string Name, Accumulator Acc)> videos = [];
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    public PosetrackApMetric(Skeleton? skeleton = null)
    {
        this.skeleton = skeleton ?? Skeleton.PoseTrack;
        J = this.skeleton.Count;
    }

    public string Name => "PoseTrack AP";

    public void Reset()
    {
        videos.Clear();
        seen.Clear();
    }

    /// <summary>One GT video and the prediction video for it; frames are paired by position (rule 1).</summary>
    public void Add(VideoAnnotation groundTruth, VideoAnnotation prediction)
    {
        if (!seen.Add(groundTruth.Name)) throw new ArgumentException($"{groundTruth.SourcePath ?? groundTruth.Name}: two GT videos are named '{groundTruth.Name}'");
        var acc = new Accumulator(J);
        AccumulateVideo(groundTruth, prediction, acc);
        videos.Add((groundTruth.Name, acc));
    }

    /// <summary>Pooled over the videos added since the last <see cref="Reset"/>, with each video's own result.</summary>
    public ApResult Compute()
    {
        var pooled = new Accumulator(J);
        foreach (var (_, acc) in videos) pooled.Append(acc);
        // The pooled result and each video's are independent, and ranking each joint's predictions is most of the
        // work: they are computed side by side, the pooled one (the largest) first, each to the next free thread.
        var accumulators = videos.Select(v => v.Acc).Prepend(pooled).ToList();
        var results = new ApResult[accumulators.Count];
        Parallel.ForEach(Partitioner.Create(Enumerable.Range(0, results.Length), EnumerablePartitionerOptions.NoBuffering),
            i => results[i] = accumulators[i].ToResult(skeleton, new Dictionary<string, ApResult>()));
        var perVideo = new Dictionary<string, ApResult>(StringComparer.Ordinal);
        for (int v = 0; v < videos.Count; v++) perVideo[videos[v].Name] = results[v + 1];
        return results[0] with { PerVideo = perVideo };
    }

    /// <summary>Scores and labels per joint, in the order poseval appends them.</summary>
    private sealed class Accumulator(int J)
    {
        public readonly List<double>[] Scores = NewLists<double>(J);
        public readonly List<bool>[] Labels = NewLists<bool>(J);
        public readonly int[] GtJoints = new int[J];
        public int Frames;

        private static List<T>[] NewLists<T>(int joints)
        {
            var a = new List<T>[joints];
            for (int j = 0; j < joints; j++) a[j] = new List<T>();
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

        public ApResult ToResult(Skeleton skeleton, IReadOnlyDictionary<string, ApResult> perVideo)
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
                (ap[j], pre[j], rec[j]) = PosetrackAp.AveragePrecision(Scores[j], Labels[j], GtJoints[j]);
                predicted[j] = Scores[j].Count;
                for (int i = 0; i < Scores[j].Count; i++)
                {
                    bool isUnscored = Scores[j][i] == PosetrackAp.MissingScore;
                    if (Labels[j][i]) tp[j]++;
                    if (isUnscored) unscored[j]++;
                    if (isUnscored && Labels[j][i]) unscoredTp[j]++;
                }
            }
            return new ApResult(ap, pre, rec, JointColumns.Of(ap, skeleton),
                JointColumns.MeanIgnoringNaN(ap), JointColumns.MeanIgnoringNaN(pre), JointColumns.MeanIgnoringNaN(rec),
                Frames, (int[])GtJoints.Clone(), predicted, tp, unscored, unscoredTp, perVideo);
        }
    }

    /// <summary>A rect that survived rules 3-4, with its first point per joint id (rule 5).</summary>
    private readonly record struct Rect(int Index, AnnotatedPoint?[] Joints, Box? HeadBox);

    private void AccumulateVideo(VideoAnnotation gt, VideoAnnotation pred, Accumulator acc)
    {
        string gtFile = gt.SourcePath ?? gt.Name;
        string predFile = pred.SourcePath ?? pred.Name;
        PoseMetrics.RequirePairedFrames(gt, pred);
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
    private List<Rect> Rects(FrameAnnotation frame, IReadOnlyList<Polygon> polygons)
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
            var kept = person.Points.Where(p => !polygons.Any(poly => PosetrackAp.StrictlyInside(poly, p.X, p.Y))).ToList();
            if (kept.Count == 0) continue;
            rects.Add(new Rect(r, (person with { Points = kept }).JointArray(J), person.HeadBox));
        }
        return rects;
    }

    /// <summary>Rules 8-13 for one frame (assignGTmulti).</summary>
    private void AccumulateFrame(List<Rect> gtRects, List<Rect> prRects, Accumulator acc, string where)
    {
        int nG = gtRects.Count, nP = prRects.Count;
        var nGtJoints = new int[nG];
        for (int g = 0; g < nG; g++)
            for (int j = 0; j < J; j++)
                if (gtRects[g].Joints[j] is not null) { nGtJoints[g]++; acc.GtJoints[j]++; }
        if (nP == 0) return; // rule 12: GT without predictions adds only its GT count
        var matchedGt = new int[nP];
        Array.Fill(matchedGt, -1);
        // match[(p * nG + g) * J + j], pck[p * nG + g]: flat arrays (a frame holds a handful of people; the
        // multi-dimensional ones cost more to allocate and index than the matching itself).
        var match = new bool[nP * nG * J];
        if (nG > 0)
        {
            var pck = new double[nP * nG];
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
                        if (d <= PosetrackAp.DistanceThreshold) { match[(p * nG + g) * J + j] = true; count++; }
                    }
                    pck[p * nG + g] = 1.0 * count / nGtJoints[g];
                }
            }
            // Rule 10a: each prediction keeps only its best GT (first maximum = lowest GT index).
            for (int p = 0; p < nP; p++)
            {
                int best = 0;
                for (int g = 1; g < nG; g++)
                    if (pck[p * nG + g] > pck[p * nG + best]) best = g;
                for (int g = 0; g < nG; g++)
                    if (g != best) pck[p * nG + g] = 0;
            }
            // Rule 10b: each GT takes the prediction with the highest remaining pck (first maximum);
            // a maximum of 0 leaves it unmatched.
            for (int g = 0; g < nG; g++)
            {
                int best = 0;
                for (int p = 1; p < nP; p++)
                    if (pck[p * nG + g] > pck[best * nG + g]) best = p;
                if (pck[best * nG + g] != 0) matchedGt[best] = g;
            }
        }
        // Rule 11 (and 12 when there is no GT): label every predicted joint.
        for (int p = 0; p < nP; p++)
        {
            int g = matchedGt[p];
            for (int j = 0; j < J; j++)
            {
                if (prRects[p].Joints[j] is not AnnotatedPoint pt) continue;
                acc.Add(j, pt.Score ?? PosetrackAp.MissingScore, g >= 0 && match[(p * nG + g) * J + j]);
            }
        }
    }

    private static double HeadSize(Rect gt, string where)
    {
        if (gt.HeadBox is not Box h)
            throw new InvalidDataException($"{where}, GT person {gt.Index}: no head box (x1..y2 / bbox_head), which PCKh needs");
        double dx = h.X2 - h.X1, dy = h.Y2 - h.Y1;
        double size = PosetrackAp.HeadSizeFactor * Math.Sqrt(dx * dx + dy * dy);
        if (!double.IsFinite(size))
            throw new InvalidDataException($"{where}, GT person {gt.Index}: head box ({h.X1}, {h.Y1}, {h.X2}, {h.Y2}) is too large: its diagonal is not a finite number");
        if (!(size > 0))
            throw new InvalidDataException($"{where}, GT person {gt.Index}: head box ({h.X1}, {h.Y1}, {h.X2}, {h.Y2}) has zero size");
        return size;
    }
}
