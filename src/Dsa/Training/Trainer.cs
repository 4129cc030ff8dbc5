using System.Diagnostics;
using System.Text.Json;
using Dsa.Data.Pipeline;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Training;

/// <summary>
/// The training loop: Adam with step decay, the paper's visibility-weighted heatmap MSE (eq. 7),
/// validation and best-checkpoint tracking, atomic checkpoints after every epoch and on
/// cancellation, exact resume, and a guard that stops on a NaN/infinite loss without overwriting
/// the last good checkpoint.
/// </summary>
public static class Trainer
{
    /// <summary>GAB's offset/mask branches and LEB's affine branch (see TrainConfig.PredictorLearningRateFactor).</summary>
    public static bool IsAlignmentPredictor(string parameterName) =>
        parameterName.Contains(".offset_predictor.", StringComparison.Ordinal) || parameterName.Contains(".mask_predictor.", StringComparison.Ordinal)
        || parameterName.Contains(".affine_predictor.", StringComparison.Ordinal);

    /// <summary>Seeds torch's CPU generator; call before building the model so its initial weights repeat.</summary>
    public static void Seed(int seed) => torch.manual_seed(seed);

    public static TrainingOutcome Run(
        DsaNet model,
        ITrainingData data,
        TrainConfig config,
        RunFolder run,
        IValidator? validator = null,
        bool resume = false,
        IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellation = default)
    {
        config.Validate();
        if (data.BatchesPerEpoch < 1) throw new ArgumentException("The training data yields no batch per epoch (too few samples for the batch size?).");
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        var device = model.parameters().First().device;
        // Parameter groups: [everything else, alignment predictors] with their learning-rate factors.
        var predictors = model.named_parameters().Where(p => p.parameter.requires_grad && IsAlignmentPredictor(p.name)).Select(p => p.parameter).ToList();
        var rest = trainable.Except(predictors).ToList();
        var factors = new List<double>();
        var groups = new List<TorchSharp.Modules.Adam.ParamGroup>();
        if (rest.Count > 0) { groups.Add(new TorchSharp.Modules.Adam.ParamGroup(rest, new TorchSharp.Modules.Adam.Options { LearningRate = config.LearningRate })); factors.Add(1.0); }
        if (predictors.Count > 0)
        {
            groups.Add(new TorchSharp.Modules.Adam.ParamGroup(predictors, new TorchSharp.Modules.Adam.Options { LearningRate = config.LearningRate * config.PredictorLearningRateFactor }));
            factors.Add(config.PredictorLearningRateFactor);
        }
        using var optimizer = new TorchSharp.Modules.Adam(groups, lr: config.LearningRate);

        int startEpoch = 0, skip = 0;
        long step = 0;
        double? bestMap = null;
        int? bestEpoch = null;
        if (resume)
        {
            var state = Checkpoint.ReadState(run.LastCheckpoint);
            state.CheckResumable(config, data.BatchesPerEpoch, run.LastCheckpoint);
            Checkpoint.Restore(run.LastCheckpoint, model, optimizer);
            Checkpoint.RestoreRngState(state.TorchRngState, $"{run.LastCheckpoint}!trainer_state.json: field 'TorchRngState'");
            (startEpoch, skip, step, bestMap, bestEpoch) = (state.Epoch, state.BatchInEpoch, state.GlobalStep, state.BestMap, state.BestEpoch);
        }
        else
        {
            Trainer.Seed(config.Seed);
            AtomicFile.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(new { model = model.Config, train = config }, Checkpoint.Json));
        }

        var log = new MetricsLog(run, resume ? step : -1);
        foreach (var warning in log.Warnings.Concat(run.RemovedStaleFiles.Select(f => $"removed {f}, left by a write that a crash interrupted.")))
            progress?.Report(new TrainingEvent("warning", startEpoch, step, 0, 0, Message: warning));
        long stepsTotal = Math.Min((long)config.Epochs * data.BatchesPerEpoch, config.MaxSteps ?? long.MaxValue);
        var losses = new List<double>();
        var budget = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        long windowSamples = 0;

        TrainerState Snapshot(int epoch, int batchInEpoch) => new(epoch, batchInEpoch, step, bestMap, bestEpoch,
            Checkpoint.EncodeRngState(), model.Config, config, DateTimeOffset.UtcNow);

        TrainingOutcome Stop(TrainingStatus status, int epoch, int batchInEpoch, string message, bool save)
        {
            if (save) Checkpoint.Save(run.LastCheckpoint, model, optimizer, Snapshot(epoch, batchInEpoch));
            var e = new TrainingEvent("stopped", epoch, step, stepsTotal, config.LearningRateAt(epoch), Message: message);
            log.Append(e);
            progress?.Report(e);
            return new TrainingOutcome(status, epoch, step, losses, bestMap, bestEpoch, message);
        }

        // Ctrl-C: write a checkpoint at the current position so --resume continues exactly there.
        TrainingOutcome Interrupted(int epoch, int batchInEpoch) =>
            Stop(TrainingStatus.Interrupted, epoch, batchInEpoch, $"Interrupted at epoch {epoch}, step {step}; checkpoint saved to {run.LastCheckpoint}.", save: true);

        for (int epoch = startEpoch; epoch < config.Epochs; epoch++)
        {
            double lr = config.LearningRateAt(epoch);
            foreach (var (group, factor) in optimizer.ParamGroups.Zip(factors)) group.LearningRate = lr * factor;
            model.train();
            int batchInEpoch = epoch == startEpoch ? skip : 0;
            using var batches = data.Epoch(epoch, batchInEpoch, cancellation).GetEnumerator();
            while (true)
            {
                TrainingBatch batch;
                try
                {
                    if (!batches.MoveNext()) break;
                    batch = batches.Current;
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    // A loader cancelled while preparing the next batch (the DataLoader does that).
                    return Interrupted(epoch, batchInEpoch);
                }
                using (batch)
                {
                    if (cancellation.IsCancellationRequested)
                        return Interrupted(epoch, batchInEpoch);

                    double loss;
                    // The pause: see FinalizerPause (TorchSharp's implicit Scalars vs the loader threads' GCs).
                    using (FinalizerPause.Begin())
                    using (var scope = NewDisposeScope())
                    {
                        optimizer.zero_grad();
                        var lossTensor = StepLoss(model, batch, config, device);
                        loss = lossTensor.item<float>();
                        if (!double.IsFinite(loss))
                            return Stop(TrainingStatus.NonFiniteLoss, epoch, batchInEpoch,
                                $"Loss became {loss} at epoch {epoch}, step {step + 1}; stopped. The last good checkpoint ({run.LastCheckpoint}) was kept unchanged.", save: false);
                        lossTensor.backward();
                        if (config.GradientClipNorm is { } clip) nn.utils.clip_grad_norm_(trainable, clip);
                        optimizer.step();
                    }
                    step++;
                    batchInEpoch++;
                    losses.Add(loss);
                    windowSamples += batch.Count;
                    if (step % config.LogEvery == 0 || batchInEpoch == data.BatchesPerEpoch)
                    {
                        var e = new TrainingEvent("step", epoch, step, stepsTotal, lr, loss, windowSamples / Math.Max(1e-9, window.Elapsed.TotalSeconds));
                        log.Append(e);
                        progress?.Report(e);
                        window.Restart();
                        windowSamples = 0;
                    }
                    if (config.MaxSteps is { } maxSteps && step >= maxSteps)
                        return Stop(TrainingStatus.BudgetExhausted, epoch, batchInEpoch, $"Step limit {maxSteps} reached at epoch {epoch}.", save: true);
                    if (config.TimeBudget is { } limit && budget.Elapsed > limit)
                        return Stop(TrainingStatus.BudgetExhausted, epoch, batchInEpoch, $"Time budget {limit} used up at epoch {epoch}, step {step}.", save: true);
                }
            }
            if (cancellation.IsCancellationRequested)
                return Interrupted(epoch, batchInEpoch);

            if (validator is not null && config.ValidateEvery > 0 && (epoch + 1) % config.ValidateEvery == 0)
            {
                double map;
                try { map = validator.Validate(model, epoch, cancellation); }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    // The epoch's training is complete: keep it, and validate again after --resume.
                    return Interrupted(epoch + 1, 0);
                }
                var e = new TrainingEvent("validation", epoch, step, stepsTotal, lr, ValidationMap: map);
                log.Append(e);
                progress?.Report(e);
                if (bestMap is null || map > bestMap)
                {
                    (bestMap, bestEpoch) = (map, epoch);
                    Checkpoint.Save(run.BestCheckpoint, model, null, Snapshot(epoch + 1, 0));
                }
            }
            Checkpoint.Save(run.LastCheckpoint, model, optimizer, Snapshot(epoch + 1, 0));
            var saved = new TrainingEvent("checkpoint", epoch, step, stepsTotal, lr, Message: run.LastCheckpoint);
            progress?.Report(saved);
        }
        log.Append(new TrainingEvent("stopped", config.Epochs - 1, step, stepsTotal, config.LearningRateAt(config.Epochs - 1), Message: "completed"));
        return new TrainingOutcome(TrainingStatus.Completed, config.Epochs, step, losses, bestMap, bestEpoch, $"Completed {config.Epochs} epochs, {step} steps.");
    }

    /// <summary>
    /// Eq. 7's heatmap loss of one batch; with <see cref="TrainConfig.OffsetSupervision"/> and offset targets, plus that
    /// weight times the distance of each supporting frame's first full-resolution GAB offsets from the true motion at
    /// the key joints (a diagnostic, not the paper).
    /// </summary>
    private static Tensor StepLoss(DsaNet model, TrainingBatch batch, TrainConfig config, Device device)
    {
        var frames = batch.Frames.to(device);
        if (config.OffsetSupervision > 0 && batch.Offsets is { } targets && !model.Config.IsSingleFrame)
        {
            using var output = model.Run(frames, trace: true, keepGraph: true);
            var heatmapLoss = JointsMseLoss.Compute(output.Heatmaps, batch.Targets.to(device), batch.TargetWeights.to(device));
            var gab = output.Fields.Select(f => f.First(x => x.Level == 0).Offset).ToList();
            if (gab.Any(o => o is null)) return heatmapLoss; // this row has no GAB at full resolution: nothing to supervise
            return heatmapLoss + config.OffsetSupervision * targets.Loss(gab!);
        }
        return JointsMseLoss.Compute(model.forward(frames), batch.Targets.to(device), batch.TargetWeights.to(device));
    }
}
