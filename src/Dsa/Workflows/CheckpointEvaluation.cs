using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;
using TorchSharp;

namespace Dsa.Workflows;

/// <summary>
/// A trained checkpoint evaluated on one split of a dataset folder: the model the checkpoint describes
/// (its config is stored inside), the split's samples with that model's supporting window and
/// ground-truth boxes (as <see cref="PoseTrackValidator"/> does during training), predictions via
/// <see cref="PosePredictor"/>, and the poseval-compatible AP.
/// </summary>
public sealed record CheckpointEvaluation(ModelConfig Model, TrainerState State, ApResult Result,
    IReadOnlyList<VideoAnnotation> GroundTruth, IReadOnlyList<VideoAnnotation> Predictions)
{
    public static CheckpointEvaluation Run(string checkpoint, DatasetFolder data, string split, int batchSize, string device = "cpu",
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be >= 1; got {batchSize}.");
        var gt = data.Read(split);
        var (model, state) = Checkpoint.LoadModel(checkpoint);
        using (model)
        {
            model.to(TorchRuntime.ResolveDevice(device));
            var dataset = Experiment.Dataset(gt, data, state.Model);
            var samples = PosePredictor.PredictSamples(model, dataset, Experiment.Pipeline(state.Model), batchSize, progress, cancellation);
            var predictions = PosePredictor.ToVideos(gt, samples);
            return new CheckpointEvaluation(state.Model, state, PosetrackAp.Evaluate(gt, predictions), gt, predictions);
        }
    }

    /// <summary>
    /// Writes each predicted video to <paramref name="dir"/> under its GT file name: PoseTrack 2018 when
    /// poseval can parse its image names in that format, PoseTrack 2017 otherwise. Returns each file's format.
    /// </summary>
    public static IReadOnlyList<(string Path, PoseTrackFormat Format)> WritePredictions(IEnumerable<VideoAnnotation> predictions, string dir)
    {
        Directory.CreateDirectory(dir);
        var written = new List<(string, PoseTrackFormat)>();
        foreach (var video in predictions)
        {
            var format = PoseTrackWriter.PoseTrack18NamingProblem(video) is null ? PoseTrackFormat.PoseTrack18 : PoseTrackFormat.PoseTrack17;
            string path = Path.Combine(dir, video.Name);
            PoseTrackWriter.Write(video, path, format);
            written.Add((path, format));
        }
        return written;
    }
}
