using System.Diagnostics;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;
using TorchSharp;

namespace Dsa.Workflows;

/// <summary>
/// Trains one configuration on a dataset folder and evaluates it on the validation videos with the
/// poseval-compatible AP: the unit that `dsa train`, `dsa ablate` and `dsa demo` are made of.
/// Results land in the run folder: results/val_ap.json (dsa eval's schema), predictions/*.json
/// (PoseTrack 2018 files poseval accepts), checkpoints and logs.
/// </summary>
public static class Experiment
{
    public static TopDownPipeline Pipeline(ModelConfig model, AugmentationConfig? augmentation = null) =>
        new(HeatmapCodec.ForInput(model.InputWidth, model.InputHeight), augmentation ?? new AugmentationConfig());

    public static PoseTrackVideoDataset Dataset(IReadOnlyList<VideoAnnotation> videos, DatasetFolder data, ModelConfig model) =>
        new(videos, data.Root, new PoseTrackDatasetOptions { Window = new SupportingWindow(model.SupportOffsets) });

    public static ExperimentResult Run(ExperimentSpec spec, IProgress<TrainingEvent>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        if (spec.Threads > 0) torch.set_num_threads(spec.Threads);
        var run = RunFolder.Create(spec.RunDir, spec.Force, spec.Resume);
        var pipeline = Pipeline(spec.Model, spec.Augmentation);
        var train = Dataset(spec.Data.Read("train"), spec.Data, spec.Model);
        var val = Dataset(spec.Data.Read("val"), spec.Data, spec.Model);
        IDataset<VideoSample> trainSet = spec.MaxTrainSamples is { } max && max < train.Count ? new FirstSamples(train, max) : train;

        Trainer.Seed(spec.Train.Seed);
        using var model = new DsaNet("dsa", spec.Model);
        if (spec.BackboneWeights is not null && !spec.Resume) model.Backbone.LoadOfficialCheckpoint(spec.BackboneWeights, spec.WeightLimits);
        if (spec.InitBackboneFrom is not null && !spec.Resume) Checkpoint.RestoreBackbone(spec.InitBackboneFrom, model);
        if (spec.WarmStartFrom is not null && !spec.Resume) Checkpoint.WarmStart(spec.WarmStartFrom, model, spec.Train.WarmStartSupportShare);
        model.to(TorchRuntime.ResolveDevice(spec.Device));
        using var loader = new DataLoader(trainSet, pipeline, new DataLoaderOptions
        {
            BatchSize = spec.Train.BatchSize, Shuffle = true, Augment = true, DropLast = trainSet.Count >= spec.Train.BatchSize, Seed = spec.Train.Seed,
        });
        var ap = new PosetrackApMetric();
        var predictions = new PredictionRecorder();
        var validator = new PoseTrackValidator(val, pipeline, Math.Max(1, spec.Train.BatchSize), [ap, predictions]);
        // The diagnostics that are not in the paper need each batch's annotated joint motion: offset supervision
        // (TrainConfig.OffsetSupervision) and ground-truth-flow alignment (ModelConfig.NeedsAnnotatedMotion).
        var motion = (spec.Train.OffsetSupervision > 0 && !spec.Model.IsSingleFrame) || spec.Model.NeedsAnnotatedMotion
            ? new JointMotionSource(trainSet, new JointMotion(train.Videos, pipeline), spec.Model.SupportOffsets, spec.Model.Joints, pipeline.Codec)
            : null;
        var outcome = Trainer.Run(model, new PoseTrackTrainingData(loader, motion), spec.Train, run, validator, spec.Resume, progress, cancellation);
        if (outcome.Status == TrainingStatus.NonFiniteLoss)
            throw new InvalidOperationException(outcome.Message);
        // Interrupted: the checkpoint is written; no evaluation of a half-trained model is reported.
        if (outcome.Status == TrainingStatus.Interrupted)
            throw new TrainingInterruptedException(outcome.Message, run.LastCheckpoint);

        // Final numbers come from the model as it ended (not the best epoch), evaluated once more unless
        // the last epoch's validation already did exactly that.
        bool lastPassIsFinal = validator.Passes > 0 && outcome.Status == TrainingStatus.Completed && spec.Train.ValidateEvery > 0 && spec.Train.Epochs % spec.Train.ValidateEvery == 0;
        if (!lastPassIsFinal) validator.Validate(model, -1, cancellation);
        var result = ap.Compute();
        var predicted = predictions.Compute();
        foreach (var video in predicted)
            PoseTrackWriter.Write(video, Path.Combine(run.PredictionsDir, video.Name), PoseTrackFormat.PoseTrack18);
        var offsets = AlignmentOffsetError.Measure(model, val, cancellation: cancellation);
        offsets?.Write(run.AlignmentOffsets);
        // results/val_ap.json is what marks a run (and an ablation cell) finished, so it is written last: a job killed
        // while the predictions or the offset report were being written is rerun, not read back without them.
        ApResultJson.Write(result, run.ValidationAp);
        return new ExperimentResult(spec.Model, outcome, result, predicted, run, clock.Elapsed, offsets);
    }

    /// <summary>The first N samples of a dataset (a quick subset; the order is the dataset's).</summary>
    private sealed class FirstSamples(IDataset<VideoSample> inner, int count) : IDataset<VideoSample>
    {
        public int Count => count;
        public VideoSample this[int index] => index < count ? inner[index] : throw new ArgumentOutOfRangeException(nameof(index));
    }
}
