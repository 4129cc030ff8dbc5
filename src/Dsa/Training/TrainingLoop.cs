using System.Diagnostics;
using System.Text.Json;
using Dsa.IO;
using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;
using Adam = TorchSharp.Modules.Adam;
using Parameter = TorchSharp.Modules.Parameter;

namespace Dsa.Training;

/// <summary>
/// The training loop: Adam with step decay, the paper's visibility-weighted heatmap MSE (eq. 7),
/// validation and best-checkpoint tracking, atomic checkpoints after every epoch and on
/// cancellation, exact resume, and a guard that stops on a NaN/infinite loss without overwriting
/// the last good checkpoint. One object per run: it owns the optimiser and the position
/// (epoch, batch, step, best mAP) that every checkpoint records, and each part of an epoch is a method.
/// </summary>
public sealed class TrainingLoop : IDisposable
{
    private readonly DsaNet model;
    private readonly ITrainingData data;
    private readonly TrainConfig config;
    private readonly ITrainingOutputs outputs;
    private readonly IValidator? validator;
    private readonly IProgress<TrainingEvent>? progress;
    private readonly List<Parameter> trainable;
    private readonly Device device;
    private readonly Adam optimizer;
    /// <summary>Each optimiser group's learning-rate factor, in the optimiser's group order.</summary>
    private readonly List<double> factors = new();
    private readonly List<double> losses = new();
    private readonly Stopwatch budget = new(), window = new();
    private MetricsLog? log;
    private long step, stepsTotal, windowSamples;
    private int startEpoch, skip;
    private double? bestMap;
    private int? bestEpoch;

    public TrainingLoop(DsaNet model, ITrainingData data, TrainConfig config, ITrainingOutputs outputs,
        IValidator? validator = null, IProgress<TrainingEvent>? progress = null)
    {
        config.Validate();
        if (data.BatchesPerEpoch < 1) throw new ArgumentException("The training data yields no batch per epoch (too few samples for the batch size?).");
        (this.model, this.data, this.config, this.outputs, this.validator, this.progress) = (model, data, config, outputs, validator, progress);
        trainable = model.parameters().Where(p => p.requires_grad).ToList();
        device = model.parameters().First().device;
        optimizer = BuildOptimizer();
    }

    /// <summary>
    /// Runs to the end of the configured epochs, the step limit or the time budget, or until cancelled (then the
    /// position is checkpointed so that <paramref name="resume"/> continues exactly there).
    /// </summary>
    public TrainingOutcome Run(bool resume = false, CancellationToken cancellation = default)
    {
        if (log is not null) throw new InvalidOperationException("A TrainingLoop runs once; make a new one to train again.");
        Start(resume);
        budget.Restart();
        window.Restart();
        // A run resumed from a checkpoint that already holds its step limit is finished: the limit is checked after each
        // step, so without this it would train one step more (a re-run ablation cell did: 301 steps, another mAP).
        if (config.MaxSteps is { } limit && step >= limit)
            return Stop(TrainingStatus.BudgetExhausted, startEpoch, skip, $"Step limit {limit} reached before (checkpoint at step {step}).", save: false);
        for (int epoch = startEpoch; epoch < config.Epochs; epoch++)
        {
            double lr = SetLearningRate(epoch);
            var (stopped, batchesDone) = TrainEpoch(epoch, lr, cancellation);
            if (stopped is not null) return stopped;
            if (cancellation.IsCancellationRequested) return Interrupted(epoch, batchesDone);
            if (ValidateEpoch(epoch, lr, cancellation) is { } interrupted) return interrupted;
            Checkpoint.Save(outputs.LastCheckpoint, model, optimizer, Snapshot(epoch + 1, 0));
            progress?.Report(Event(TrainingEventKind.Checkpoint, epoch, lr) with { Message = outputs.LastCheckpoint });
        }
        log!.Append(Event(TrainingEventKind.Stopped, config.Epochs - 1, config.LearningRateAt(config.Epochs - 1)) with { Message = "completed" });
        return new TrainingOutcome(TrainingStatus.Completed, config.Epochs, step, losses, bestMap, bestEpoch, $"Completed {config.Epochs} epochs, {step} steps.");
    }

    public void Dispose() => optimizer.Dispose();

    /// <summary>Parameter groups [everything else, alignment predictors] with their learning-rate factors (the model names them).</summary>
    private Adam BuildOptimizer()
    {
        var groups = model.ParameterGroups();
        var predictors = groups.AlignmentPredictors.Where(p => p.requires_grad).ToList();
        var rest = trainable.Except(predictors).ToList();
        var optimizerGroups = new List<Adam.ParamGroup>();
        if (rest.Count > 0)
        {
            optimizerGroups.Add(new Adam.ParamGroup(rest, new Adam.Options { LearningRate = config.LearningRate }));
            factors.Add(1.0);
        }
        if (predictors.Count > 0)
        {
            optimizerGroups.Add(new Adam.ParamGroup(predictors, new Adam.Options { LearningRate = config.LearningRate * config.PredictorLearningRateFactor }));
            factors.Add(config.PredictorLearningRateFactor);
        }
        return new Adam(optimizerGroups, lr: config.LearningRate);
    }

    /// <summary>Restores the position of the last checkpoint (resume), or seeds and writes config.json (a new run); opens the log.</summary>
    private void Start(bool resume)
    {
        if (resume)
        {
            var state = Checkpoint.ReadState(outputs.LastCheckpoint);
            state.CheckResumable(config, data.BatchesPerEpoch, outputs.LastCheckpoint);
            Checkpoint.Restore(outputs.LastCheckpoint, model, optimizer);
            Checkpoint.RestoreRngState(state.TorchRngState, $"{outputs.LastCheckpoint}!trainer_state.json: field 'TorchRngState'");
            (startEpoch, skip, step, bestMap, bestEpoch) = (state.Epoch, state.BatchInEpoch, state.GlobalStep, state.BestMap, state.BestEpoch);
        }
        else
        {
            Trainer.Seed(config.Seed);
            AtomicFile.WriteAllText(outputs.ConfigPath, JsonSerializer.Serialize(new { model = model.Config, train = config }, Checkpoint.Json));
        }
        log = new MetricsLog(outputs, resume ? step : -1);
        stepsTotal = Math.Min((long)config.Epochs * data.BatchesPerEpoch, config.MaxSteps ?? long.MaxValue);
        foreach (var warning in log.Warnings.Concat(outputs.RemovedStaleFiles.Select(f => $"removed {f}, left by a write that a crash interrupted.")))
            progress?.Report(new TrainingEvent(TrainingEventKind.Warning, startEpoch, step, 0, 0, Message: warning));
    }

    private double SetLearningRate(int epoch)
    {
        double lr = config.LearningRateAt(epoch);
        foreach (var (group, factor) in optimizer.ParamGroups.Zip(factors)) group.LearningRate = lr * factor;
        return lr;
    }

    /// <summary>One epoch's batches; returns the outcome when the run stops inside the epoch (else null) and the batches done.</summary>
    private (TrainingOutcome? Stopped, int BatchInEpoch) TrainEpoch(int epoch, double lr, CancellationToken cancellation)
    {
        model.train();
        int batchInEpoch = epoch == startEpoch ? skip : 0;
        using var batches = data.Epoch(epoch, batchInEpoch, cancellation).GetEnumerator();
        while (true)
        {
            TrainingBatch batch;
            try
            {
                if (!batches.MoveNext()) return (null, batchInEpoch);
                batch = batches.Current;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // A loader cancelled while preparing the next batch (the DataLoader does that).
                return (Interrupted(epoch, batchInEpoch), batchInEpoch);
            }
            using (batch)
            {
                if (cancellation.IsCancellationRequested) return (Interrupted(epoch, batchInEpoch), batchInEpoch);
                double loss = OptimiserStep(batch);
                if (!double.IsFinite(loss))
                    return (Stop(TrainingStatus.NonFiniteLoss, epoch, batchInEpoch,
                        $"Loss became {loss} at epoch {epoch}, step {step + 1}; stopped. The last good checkpoint ({outputs.LastCheckpoint}) was kept unchanged.", save: false), batchInEpoch);
                step++;
                batchInEpoch++;
                losses.Add(loss);
                windowSamples += batch.Count;
                if (step % config.LogEvery == 0 || batchInEpoch == data.BatchesPerEpoch) LogStep(epoch, lr, loss);
                if (config.MaxSteps is { } maxSteps && step >= maxSteps)
                    return (Stop(TrainingStatus.BudgetExhausted, epoch, batchInEpoch, $"Step limit {maxSteps} reached at epoch {epoch}.", save: true), batchInEpoch);
                if (config.TimeBudget is { } limit && budget.Elapsed > limit)
                    return (Stop(TrainingStatus.BudgetExhausted, epoch, batchInEpoch, $"Time budget {limit} used up at epoch {epoch}, step {step}.", save: true), batchInEpoch);
            }
        }
    }

    /// <summary>zero_grad, loss, backward, clip, Adam step; returns the loss (a non-finite loss takes no step).</summary>
    private double OptimiserStep(TrainingBatch batch)
    {
        // The pause: see FinalizerPause (TorchSharp's implicit Scalars vs the loader threads' GCs).
        using var pause = FinalizerPause.Begin();
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var lossTensor = StepLoss(model, batch, config, device);
        double loss = lossTensor.item<float>();
        if (!double.IsFinite(loss)) return loss;
        lossTensor.backward();
        if (config.GradientClipNorm is { } clip) nn.utils.clip_grad_norm_(trainable, clip);
        optimizer.step();
        return loss;
    }

    private void LogStep(int epoch, double lr, double loss)
    {
        var e = Event(TrainingEventKind.Step, epoch, lr) with { Loss = loss, SamplesPerSecond = windowSamples / Math.Max(1e-9, window.Elapsed.TotalSeconds) };
        log!.Append(e);
        progress?.Report(e);
        window.Restart();
        windowSamples = 0;
    }

    /// <summary>Validates when the epoch is due; keeps the best checkpoint. Returns the outcome when cancelled during validation, else null.</summary>
    private TrainingOutcome? ValidateEpoch(int epoch, double lr, CancellationToken cancellation)
    {
        if (validator is null || config.ValidateEvery <= 0 || (epoch + 1) % config.ValidateEvery != 0) return null;
        double map;
        try { map = validator.Validate(model, epoch, cancellation); }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The epoch's training is complete: keep it, and validate again after --resume.
            return Interrupted(epoch + 1, 0);
        }
        var e = Event(TrainingEventKind.Validation, epoch, lr) with { ValidationMap = map };
        log!.Append(e);
        progress?.Report(e);
        if (bestMap is null || map > bestMap)
        {
            (bestMap, bestEpoch) = (map, epoch);
            Checkpoint.Save(outputs.BestCheckpoint, model, null, Snapshot(epoch + 1, 0));
        }
        return null;
    }

    private TrainingEvent Event(TrainingEventKind kind, int epoch, double lr) => new(kind, epoch, step, stepsTotal, lr);

    private TrainerState Snapshot(int epoch, int batchInEpoch) => new(epoch, batchInEpoch, step, bestMap, bestEpoch,
        Checkpoint.EncodeRngState(), model.Config, config, DateTimeOffset.UtcNow);

    private TrainingOutcome Stop(TrainingStatus status, int epoch, int batchInEpoch, string message, bool save)
    {
        if (save) Checkpoint.Save(outputs.LastCheckpoint, model, optimizer, Snapshot(epoch, batchInEpoch));
        var e = Event(TrainingEventKind.Stopped, epoch, config.LearningRateAt(epoch)) with { Message = message };
        log!.Append(e);
        progress?.Report(e);
        return new TrainingOutcome(status, epoch, step, losses, bestMap, bestEpoch, message);
    }

    /// <summary>Ctrl-C: write a checkpoint at the current position so a resumed run continues exactly there.</summary>
    private TrainingOutcome Interrupted(int epoch, int batchInEpoch) =>
        Stop(TrainingStatus.Interrupted, epoch, batchInEpoch, $"Interrupted at epoch {epoch}, step {step}; checkpoint saved to {outputs.LastCheckpoint}.", save: true);

    /// <summary>
    /// Eq. 7's heatmap loss of one batch; with <see cref="TrainConfig.OffsetSupervision"/> and the batch's motion, plus that
    /// weight times the distance of each supporting frame's alignment displacement
    /// (<see cref="OffsetSupervisionLoss.SupervisedDisplacement"/>) from the true motion at the key joints (a diagnostic,
    /// not the paper). Ground-truth-flow alignment gets the motion as dense flows.
    /// </summary>
    private static Tensor StepLoss(DsaNet model, TrainingBatch batch, TrainConfig config, Device device)
    {
        var frames = batch.Frames.to(device);
        var (h, w) = model.Config.HeatmapSize;
        var flows = model.Config.NeedsAnnotatedMotion
            ? (batch.Motion ?? throw new InvalidOperationException("Ground-truth-flow alignment needs each batch's annotated motion; " +
                "the training data was built without a JointMotionSource.")).DenseFlow(h, w, model.Config.AnnotatedFlowSigma(), model.Config.AnnotatedFlowNoise)
            : null;
        if (config.OffsetSupervision > 0 && batch.Motion is { } motion && !model.Config.IsSingleFrame)
        {
            using var output = model.Run(frames, trace: true, keepGraph: true, supportFlows: flows);
            var heatmapLoss = JointsMseLoss.Compute(output.Heatmaps, batch.Targets.to(device), batch.TargetWeights.to(device));
            var supervised = output.Fields.Select(OffsetSupervisionLoss.SupervisedDisplacement).ToList();
            if (supervised.Count == 0 || supervised.Any(o => o is null)) return heatmapLoss; // nothing learned to supervise in this row
            return heatmapLoss + config.OffsetSupervision * OffsetSupervisionLoss.Compute(motion, supervised!);
        }
        return JointsMseLoss.Compute(model.forward(frames, flows), batch.Targets.to(device), batch.TargetWeights.to(device));
    }
}
