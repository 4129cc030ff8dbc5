using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>Validation with the poseval-compatible AP on the validation videos (ground-truth boxes).</summary>
public sealed class PoseTrackValidator(PoseTrackVideoDataset dataset, TopDownPipeline pipeline, int batchSize) : IValidator
{
    /// <summary>The result of the latest <see cref="Validate"/> call.</summary>
    public ApResult? Last { get; private set; }

    /// <summary>The predictions of the latest <see cref="Validate"/> call.</summary>
    public IReadOnlyList<VideoAnnotation>? LastPredictions { get; private set; }

    public double Validate(DsaNet model, int epoch, CancellationToken cancellation)
    {
        var samples = PosePredictor.PredictSamples(model, dataset, pipeline, batchSize, cancellation: cancellation);
        LastPredictions = PosePredictor.ToVideos(dataset.Videos, samples);
        Last = PosetrackAp.Evaluate(dataset.Videos, LastPredictions);
        return Last.Total;
    }
}
