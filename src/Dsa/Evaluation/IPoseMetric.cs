using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// A pose metric in MMPose's shape (mmpose.evaluation.metrics: process() batch by batch, then compute_metrics()):
/// it takes ground-truth videos with the predictions for them, one pair at a time, and computes once at the end.
/// The validator and the workflows hold a list of them and read each one's typed result.
/// </summary>
public interface IPoseMetric
{
    /// <summary>What it measures, for tables and logs ("PoseTrack AP", "PCKh@0.5", ...).</summary>
    string Name { get; }

    /// <summary>Forgets every pair added so far.</summary>
    void Reset();

    /// <summary>One ground-truth video and the prediction video for it (same name; frames paired by position).</summary>
    void Add(VideoAnnotation groundTruth, VideoAnnotation prediction);
}

/// <summary>A <see cref="IPoseMetric"/> with its result type.</summary>
public interface IPoseMetric<out TResult> : IPoseMetric
{
    /// <summary>The result over the pairs added since the last <see cref="IPoseMetric.Reset"/>.</summary>
    TResult Compute();
}
