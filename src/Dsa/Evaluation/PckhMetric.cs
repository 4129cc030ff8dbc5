using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// Single-person PCKh as a metric object: a GT joint is correct when the prediction for the same person has that
/// joint within <c>threshold</c> x head size (head size = 0.6 x head-box diagonal, as poseval and the MPII
/// evaluation use). No assignment between people: each GT person is given its prediction (the top-down setting
/// with known boxes). First point per joint id; ids outside the skeleton (PoseTrack's 0..14 by default) ignored.
/// </summary>
public sealed class PckhMetric : IPoseMetric<PckhResult>
{
    private readonly double threshold;
    private readonly Skeleton skeleton;
    private readonly int[] correct, annotated;
    private int pairs;

    public PckhMetric(double threshold = 0.5, Skeleton? skeleton = null)
    {
        this.threshold = threshold;
        this.skeleton = skeleton ?? Skeleton.PoseTrack;
        correct = new int[this.skeleton.Count];
        annotated = new int[this.skeleton.Count];
    }

    public double Threshold => threshold;
    public string Name => $"PCKh@{threshold:0.##}";

    public void Reset()
    {
        Array.Clear(correct);
        Array.Clear(annotated);
        pairs = 0;
    }

    /// <summary>
    /// Frames paired by position, people by position within the frame (prediction k is GT person k's; a missing
    /// one gets no joint right).
    /// </summary>
    public void Add(VideoAnnotation groundTruth, VideoAnnotation prediction)
    {
        string gtFile = groundTruth.SourcePath ?? groundTruth.Name;
        PoseMetrics.RequirePairedFrames(groundTruth, prediction);
        for (int f = 0; f < groundTruth.Frames.Count; f++)
        {
            var people = groundTruth.Frames[f].People;
            var predicted = prediction.Frames[f].People;
            for (int p = 0; p < people.Count; p++)
                AddPerson(people[p], p < predicted.Count ? predicted[p] : null,
                    $"{gtFile}: frame {f} ({groundTruth.Frames[f].ImagePath}), GT person {p}");
        }
    }

    /// <summary>One GT person and its prediction (or null); <paramref name="where"/> names it in errors.</summary>
    public void AddPerson(PersonAnnotation truth, PersonAnnotation? prediction, string? where = null)
    {
        where ??= $"pair {pairs}";
        pairs++;
        int joints = skeleton.Count;
        var gtJoints = truth.JointArray(joints);
        if (gtJoints.All(p => p is null)) return;
        if (truth.HeadBox is not Box h)
            throw new InvalidDataException($"{where}: no head box, which PCKh needs");
        double dxh = h.X2 - h.X1, dyh = h.Y2 - h.Y1;
        double headSize = PosetrackAp.HeadSizeFactor * Math.Sqrt(dxh * dxh + dyh * dyh);
        if (!(headSize > 0)) throw new InvalidDataException($"{where}: head box ({h.X1}, {h.Y1}, {h.X2}, {h.Y2}) has zero size");
        var predJoints = prediction?.JointArray(joints);
        for (int j = 0; j < joints; j++)
        {
            if (gtJoints[j] is not AnnotatedPoint g) continue;
            annotated[j]++;
            if (predJoints?[j] is not AnnotatedPoint q) continue;
            double dx = g.X - q.X, dy = g.Y - q.Y;
            if (Math.Sqrt(dx * dx + dy * dy) / headSize <= threshold) correct[j]++;
        }
    }

    public PckhResult Compute()
    {
        var perJoint = new double[skeleton.Count];
        for (int j = 0; j < perJoint.Length; j++) perJoint[j] = annotated[j] == 0 ? double.NaN : 100.0 * correct[j] / annotated[j];
        return new PckhResult(perJoint, JointColumns.Of(perJoint, skeleton, ignoreNaN: true), JointColumns.MeanIgnoringNaN(perJoint),
            (int[])correct.Clone(), (int[])annotated.Clone());
    }
}
