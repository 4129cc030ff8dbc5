using Dsa.Data.Synthetic;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// The whole story of the paper, small enough for two CPU cores, on synthetic videos:
/// <list type="number">
/// <item>Start: the paper starts from a COCO-pretrained HRNet; ours is the single-frame model shipped in
/// models/cpu-small-paper-motion (<see cref="DemoOptions.StartFrom"/>, 12000 steps on the same synthetic set). With
/// --from-scratch the demo pretrains its own within its budget instead.</item>
/// <item>DSA: warm-started from that model (Checkpoint.WarmStart: backbone frozen, as DCPose does; the
/// head's supporting-frame inputs start at zero, so at step 0 DSA computes the single-frame heatmaps)
/// with the symmetric GAB/LEB alignment and the head trained.</item>
/// <item>Baseline: the same warm start as a single-frame model, trained for exactly as many steps.
/// DSA and the baseline then differ only in what the aligned neighbouring frames add: the paper's claim.</item>
/// </list>
/// Then both are evaluated with the poseval-compatible AP and results.json is written; the HTML report is
/// Reports.DemoReport's (the command line writes it: training does not depend on the report layer).
/// </summary>
public static class Demo
{
    public static DemoResult Run(DemoOptions options, IProgress<(string Stage, TrainingEvent Event)>? progress = null,
        IProgress<string>? status = null, CancellationToken cancellation = default)
    {
        var data = new DatasetFolder(options.DataRoot);
        if (!Directory.Exists(data.AnnotationsDir("train")))
        {
            status?.Report($"No dataset in {options.DataRoot}: generating the synthetic videos.");
            var summary = new SyntheticVideoGenerator(options.Synthetic).Write(options.DataRoot);
            status?.Report($"Wrote {summary.Videos} videos, {summary.Frames} frames ({summary.OccludedJoints} of {summary.Joints} joints occluded, {summary.BlurredFrames} blurred frames).");
        }

        var singleFrame = Ablations.Get("single-frame").Apply(options.Model);
        var train = options.Train with { Seed = options.Seed };
        var layout = new DemoLayout(options.RunRoot);
        IProgress<TrainingEvent> Stage(string name) => new InlineProgress<TrainingEvent>(e => progress?.Report((name, e)));
        ExperimentResult Run(string name, RunFolder folder, ModelConfig model, TrainConfig t, string? warmStart) =>
            Experiment.Run(new ExperimentSpec(folder.Root, model, t, data) { Force = true, Threads = options.Threads, WarmStartFrom = warmStart },
                Stage(name), cancellation);

        ExperimentResult? pretrain = null;
        string pretrained;
        if (options.StartFrom is { } weights)
        {
            if (!File.Exists(weights)) throw new FileNotFoundException($"Demo: the single-frame weights {weights} to start from do not exist.", weights);
            status?.Report($"Stage 1/3: no pretraining; DSA and the baseline start from {weights}.");
            pretrained = weights;
        }
        else
        {
            var pretrainConfig = Budget(train, options.PretrainSteps, options.PretrainShare);
            pretrain = options.PretrainedRun is { } given ? Evaluated(given) : Reusable(layout.Pretrain, singleFrame, pretrainConfig);
            if (pretrain is null)
            {
                status?.Report("Stage 1/3: pretraining the single-frame model.");
                pretrain = Run("pretrain", layout.Pretrain, singleFrame, pretrainConfig, null);
            }
            else status?.Report($"Stage 1/3: reusing the finished pretraining in {pretrain.Run.Root}.");
            pretrained = pretrain.Run.LastCheckpoint;
        }

        int stages = options.GroundTruthFlow ? 4 : 3;
        status?.Report($"Stage 2/{stages}: DSA, warm-started from the pretrained model (backbone frozen).");
        var dsa = Run("dsa", layout.Dsa, options.Model with { FreezeBackbone = true },
            Budget(train, options.AlignSteps, options.DsaShare), pretrained);

        status?.Report($"Stage 3/{stages}: the single-frame baseline, warm-started the same way, for the same {dsa.Outcome.Steps} steps.");
        var baseline = Run("baseline", layout.Baseline, singleFrame with { FreezeBackbone = true }, train with { MaxSteps = dsa.Outcome.Steps }, pretrained);

        ExperimentResult? groundTruth = null;
        if (options.GroundTruthFlow)
        {
            status?.Report($"Stage 4/4: the same head on neighbours warped by the annotated motion (a diagnostic), the same {dsa.Outcome.Steps} steps.");
            groundTruth = Run("ground-truth flow", layout.GroundTruthFlow, Ablations.Get("ground-truth-flow").Apply(options.Model) with { FreezeBackbone = true },
                train with { MaxSteps = dsa.Outcome.Steps }, pretrained);
        }
        var result = new DemoResult(pretrain, dsa, baseline, groundTruth, Path.GetFullPath(layout.Results));
        DemoResultsFile.Write(layout, data, options.Seed, Path.GetFullPath(pretrained), result.Compared);
        return result;

        // A fixed-step pretraining with the same model and settings that already finished is not redone
        // (long jobs never lose finished work); it is evaluated again, which takes seconds.
        ExperimentResult? Reusable(RunFolder run, ModelConfig model, TrainConfig t)
        {
            if (t.MaxSteps is null || !File.Exists(run.LastCheckpoint) || !File.Exists(run.ValidationAp)) return null;
            var state = Checkpoint.ReadState(run.LastCheckpoint);
            string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o);
            if (state.GlobalStep != t.MaxSteps || Json(state.Model) != Json(model) || Json(state.Train) != Json(t)) return null;
            return Evaluated(run.Root);
        }

        ExperimentResult Evaluated(string dir)
        {
            var run = RunFolder.Open(dir);
            var evaluation = CheckpointEvaluation.Run(run.LastCheckpoint, data, "val", train.BatchSize, cancellation: cancellation);
            if (!evaluation.Model.IsSingleFrame)
                throw new NotASingleFrameModelException(dir, evaluation.Model.SupportOffsets);
            return new ExperimentResult(evaluation.Model, new TrainingOutcome(TrainingStatus.BudgetExhausted, evaluation.State.Epoch, evaluation.State.GlobalStep,
                Array.Empty<double>(), null, null, "reused a finished pretraining"), evaluation.Result, evaluation.Predictions, run, TimeSpan.Zero);
        }

        TrainConfig Budget(TrainConfig t, long? steps, double share) => steps is { } n
            ? t with { MaxSteps = n, TimeBudget = null }
            : t with { TimeBudget = TimeSpan.FromMinutes(options.Minutes * share) };
    }
}
