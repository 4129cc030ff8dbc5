using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// Validation on the validation videos (ground-truth boxes): predicts every sample once, then feeds every metric of
/// <paramref name="metrics"/>. The score the trainer keeps the best checkpoint by is the first PoseTrack AP's mAP
/// (poseval's Total, the paper's number). Read each metric's result from the metric.
/// </summary>
public sealed class PoseTrackValidator(PoseTrackVideoDataset dataset, TopDownPipeline pipeline, int batchSize, IReadOnlyList<IPoseMetric> metrics) : IValidator
{
    private readonly IPoseMetric<ApResult> score = metrics.OfType<IPoseMetric<ApResult>>().FirstOrDefault()
        ?? throw new ArgumentException("The validator needs a PoseTrack AP metric (PosetrackApMetric) among its metrics to score checkpoints by.", nameof(metrics));

    /// <summary>How many times <see cref="Validate"/> has run; the metrics hold the latest pass.</summary>
    public int Passes { get; private set; }

    public double Validate(DsaNet model, int epoch, CancellationToken cancellation)
    {
        var samples = PosePredictor.PredictSamples(model, dataset, pipeline, batchSize, cancellation: cancellation);
        PoseMetrics.AddAll(metrics, dataset.Videos, PosePredictor.ToVideos(dataset.Videos, samples));
        Passes++;
        return score.Compute().Total;
    }
}
