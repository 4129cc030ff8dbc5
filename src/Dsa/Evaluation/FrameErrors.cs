using Dsa.Data;
using Dsa.Inference;

namespace Dsa.Evaluation;

/// <summary>
/// Per-frame localisation error of top-down predictions, to find the frames a model gets most wrong.
/// A GT person is compared with the predicted person of the same track id (the workbench's predictions keep
/// the GT box's track id, PosePredictor); distances are in head sizes (0.6 x head-box diagonal, as poseval).
/// Unlike poseval's AP this ignores scores and assignment: it is a diagnostic, not a metric of the paper.
/// </summary>
public static class FrameErrors
{
    /// <summary>A joint without a prediction, or farther than this many head sizes, counts as this far (one wild joint must not hide all others).</summary>
    public const double Cap = 3.0;

    /// <summary>Every GT frame with at least one comparable joint, worst (largest mean error) first.</summary>
    public static IReadOnlyList<FrameError> Rank(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions)
    {
        var byName = predictions.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var result = new List<FrameError>();
        foreach (var video in groundTruth)
        {
            if (!byName.TryGetValue(video.Name, out var predicted))
                throw new InvalidDataException($"{video.SourcePath ?? video.Name}: no prediction video named '{video.Name}'.");
            if (predicted.Frames.Count != video.Frames.Count)
                throw new InvalidDataException($"{predicted.SourcePath ?? predicted.Name}: {predicted.Frames.Count} frames, the GT has {video.Frames.Count}.");
            for (int f = 0; f < video.Frames.Count; f++)
            {
                double sum = 0;
                int joints = 0, missed = 0;
                foreach (var person in video.Frames[f].People)
                {
                    if (person.HeadBox is not { } head) continue;
                    double headSize = PosetrackAp.HeadSizeFactor * Math.Sqrt(head.Width * head.Width + head.Height * head.Height);
                    if (!(headSize > 0)) continue;
                    var guess = predicted.Frames[f].People.FirstOrDefault(p => p.TrackId == person.TrackId)?.JointArray();
                    var truth = person.JointArray();
                    for (int j = 0; j < truth.Length; j++)
                    {
                        if (truth[j] is not { } t) continue;
                        double d = guess?[j] is { } g ? Math.Sqrt((g.X - t.X) * (g.X - t.X) + (g.Y - t.Y) * (g.Y - t.Y)) / headSize : double.PositiveInfinity;
                        if (d > PosetrackAp.DistanceThreshold) missed++;
                        sum += Math.Min(d, Cap);
                        joints++;
                    }
                }
                if (joints > 0) result.Add(new FrameError(video.Name, f, video.Frames[f], predicted.Frames[f], sum / joints, joints, missed));
            }
        }
        return result.OrderByDescending(e => e.MeanError).ToList();
    }
}
