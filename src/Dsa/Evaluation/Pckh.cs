using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>One-call entry points for <see cref="PckhMetric"/> (single-person PCKh, known boxes).</summary>
public static class Pckh
{
    /// <summary>PCKh over explicit (GT person, its prediction or null) pairs.</summary>
    public static PckhResult Evaluate(IEnumerable<(PersonAnnotation Truth, PersonAnnotation? Prediction)> pairs, double threshold = 0.5)
    {
        var metric = new PckhMetric(threshold);
        foreach (var (truth, prediction) in pairs) metric.AddPerson(truth, prediction);
        return metric.Compute();
    }

    /// <summary>
    /// PCKh over videos: GT and prediction videos paired by name (<see cref="PoseMetrics.PairByName"/>), frames by
    /// position, people by position within the frame (a missing prediction gets no joint right).
    /// </summary>
    public static PckhResult Evaluate(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions, double threshold = 0.5) =>
        new PckhMetric(threshold).Evaluate(groundTruth, predictions);
}
