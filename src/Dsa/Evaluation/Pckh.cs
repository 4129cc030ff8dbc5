using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// Single-person PCKh: a GT joint is correct when the prediction for the same person has that
/// joint within <c>threshold</c> x head size (head size = 0.6 x head-box diagonal, as poseval and
/// the MPII evaluation use). No assignment between people: each GT person is given its prediction
/// (the top-down setting with known boxes). First point per joint id, ids outside 0..14 ignored.
/// </summary>
public static class Pckh
{
    private const int J = 15;

    /// <summary>PCKh over explicit (GT person, its prediction or null) pairs.</summary>
    public static PckhResult Evaluate(IEnumerable<(PersonAnnotation Truth, PersonAnnotation? Prediction)> pairs, double threshold = 0.5)
    {
        var correct = new int[J];
        var annotated = new int[J];
        int index = 0;
        foreach (var (truth, prediction) in pairs)
        {
            Accumulate(truth, prediction, threshold, correct, annotated, $"pair {index}");
            index++;
        }
        return Result(correct, annotated);
    }

    /// <summary>
    /// PCKh over videos: GT and prediction videos paired by name, frames by position, people by
    /// position within the frame (prediction k is GT person k's; a missing one gets no joint right).
    /// </summary>
    public static PckhResult Evaluate(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions, double threshold = 0.5)
    {
        var byName = predictions.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var correct = new int[J];
        var annotated = new int[J];
        foreach (var gt in groundTruth)
        {
            var pred = PairedPrediction(gt, byName);
            string gtFile = gt.SourcePath ?? gt.Name;
            for (int f = 0; f < gt.Frames.Count; f++)
            {
                var people = gt.Frames[f].People;
                var predicted = pred.Frames[f].People;
                for (int p = 0; p < people.Count; p++)
                    Accumulate(people[p], p < predicted.Count ? predicted[p] : null, threshold, correct, annotated,
                        $"{gtFile}: frame {f} ({gt.Frames[f].ImagePath}), GT person {p}");
            }
        }
        return Result(correct, annotated);
    }

    private static void Accumulate(PersonAnnotation truth, PersonAnnotation? prediction, double threshold, int[] correct, int[] annotated, string where)
    {
        var gtJoints = truth.JointArray(J);
        if (gtJoints.All(p => p is null)) return;
        if (truth.HeadBox is not Box h)
            throw new InvalidDataException($"{where}: no head box, which PCKh needs");
        double dxh = h.X2 - h.X1, dyh = h.Y2 - h.Y1;
        double headSize = PosetrackAp.HeadSizeFactor * Math.Sqrt(dxh * dxh + dyh * dyh);
        if (!(headSize > 0)) throw new InvalidDataException($"{where}: head box ({h.X1}, {h.Y1}, {h.X2}, {h.Y2}) has zero size");
        var predJoints = prediction?.JointArray(J);
        for (int j = 0; j < J; j++)
        {
            if (gtJoints[j] is not AnnotatedPoint g) continue;
            annotated[j]++;
            if (predJoints?[j] is not AnnotatedPoint q) continue;
            double dx = g.X - q.X, dy = g.Y - q.Y;
            if (Math.Sqrt(dx * dx + dy * dy) / headSize <= threshold) correct[j]++;
        }
    }

    private static PckhResult Result(int[] correct, int[] annotated)
    {
        var perJoint = new double[J];
        for (int j = 0; j < J; j++) perJoint[j] = annotated[j] == 0 ? double.NaN : 100.0 * correct[j] / annotated[j];
        return new PckhResult(perJoint, JointColumns.Of(perJoint, ignoreNaN: true), JointColumns.MeanIgnoringNaN(perJoint), correct, annotated);
    }

    /// <summary>The prediction video named like <paramref name="gt"/>, with as many frames (frames are paired by position).</summary>
    internal static VideoAnnotation PairedPrediction(VideoAnnotation gt, IReadOnlyDictionary<string, VideoAnnotation> predictionsByName)
    {
        string gtFile = gt.SourcePath ?? gt.Name;
        if (!predictionsByName.TryGetValue(gt.Name, out var pred))
            throw new InvalidDataException($"{gtFile}: no prediction video named '{gt.Name}'");
        if (pred.Frames.Count != gt.Frames.Count)
            throw new InvalidDataException($"{pred.SourcePath ?? pred.Name}: {pred.Frames.Count} prediction frames but the GT {gtFile} has {gt.Frames.Count} (frames are paired by position)");
        return pred;
    }
}
