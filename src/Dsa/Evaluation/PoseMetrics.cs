using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>Feeding <see cref="IPoseMetric"/>s: poseval's pairing of GT and prediction videos by name.</summary>
public static class PoseMetrics
{
    /// <summary>
    /// Each GT video with the prediction video of the same <see cref="VideoAnnotation.Name"/>, in GT order
    /// (predictions for videos without GT are left out, as poseval ignores extra files). Two GT or two prediction
    /// videos of one name, or a GT video without a prediction, is an error naming the file.
    /// </summary>
    public static IEnumerable<(VideoAnnotation GroundTruth, VideoAnnotation Prediction)> PairByName(
        IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions)
    {
        var byName = new Dictionary<string, VideoAnnotation>(StringComparer.Ordinal);
        foreach (var p in predictions)
            if (!byName.TryAdd(p.Name, p)) throw new ArgumentException($"{p.SourcePath ?? p.Name}: two prediction videos are named '{p.Name}'");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var gt in groundTruth)
        {
            if (!seen.Add(gt.Name)) throw new ArgumentException($"{gt.SourcePath ?? gt.Name}: two GT videos are named '{gt.Name}'");
            if (!byName.TryGetValue(gt.Name, out var pred))
                throw new InvalidDataException($"{gt.SourcePath ?? gt.Name}: no prediction video named '{gt.Name}'");
            yield return (gt, pred);
        }
    }

    /// <summary>poseval pairs a GT video's frames with its prediction's by position (rule 1): the counts must agree.</summary>
    public static void RequirePairedFrames(VideoAnnotation groundTruth, VideoAnnotation prediction)
    {
        if (groundTruth.Frames.Count != prediction.Frames.Count)
            throw new InvalidDataException($"{prediction.SourcePath ?? prediction.Name}: {prediction.Frames.Count} prediction frames but the GT " +
                $"{groundTruth.SourcePath ?? groundTruth.Name} has {groundTruth.Frames.Count} (frames are paired by position)");
    }

    /// <summary>Resets the metric, adds every pair <see cref="PairByName"/> gives, and computes.</summary>
    public static TResult Evaluate<TResult>(this IPoseMetric<TResult> metric, IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions)
    {
        metric.Reset();
        foreach (var (gt, pred) in PairByName(groundTruth, predictions)) metric.Add(gt, pred);
        return metric.Compute();
    }

    /// <summary>Resets every metric and adds every pair to each (one pass over the videos for all of them).</summary>
    public static void AddAll(IEnumerable<IPoseMetric> metrics, IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions)
    {
        var list = metrics.ToList();
        foreach (var m in list) m.Reset();
        foreach (var (gt, pred) in PairByName(groundTruth, predictions))
            foreach (var m in list) m.Add(gt, pred);
    }
}
