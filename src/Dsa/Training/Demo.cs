using Dsa.Data;
using Dsa.Nn;
using Dsa.Reports;

namespace Dsa.Training;

/// <summary>
/// The whole story of the paper, small enough for two CPU cores, on synthetic videos:
/// <list type="number">
/// <item>Pretrain: a single-frame model (HRNet + head) from scratch. The paper starts from a
/// COCO-pretrained HRNet; we have no weights to download, so the demo pretrains its own.</item>
/// <item>DSA: that backbone, frozen (as DCPose does), with the symmetric GAB/LEB alignment and head trained.</item>
/// <item>Baseline: the same frozen backbone with the single-frame head, trained for exactly as many
/// steps. DSA and the baseline then differ only in the temporal alignment, which is the paper's claim.</item>
/// </list>
/// Then both are evaluated with the poseval-compatible AP and a self-contained HTML report is written.
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
            var summary = new SyntheticVideoGenerator(options.Synthetic with { Seed = options.Synthetic.Seed }).Write(options.DataRoot);
            status?.Report($"Wrote {summary.Videos} videos, {summary.Frames} frames ({summary.OccludedJoints} of {summary.Joints} joints occluded, {summary.BlurredFrames} blurred frames).");
        }

        var singleFrame = Ablations.Get("single-frame").Apply(options.Model);
        var train = options.Train with { Seed = options.Seed };
        IProgress<TrainingEvent> Stage(string name) => new InlineProgress<TrainingEvent>(e => progress?.Report((name, e)));
        ExperimentResult Run(string name, ModelConfig model, TrainConfig t, string? initFrom) =>
            Experiment.Run(new ExperimentSpec(Path.Combine(options.RunRoot, name), model, t, data, Force: true, Threads: options.Threads, InitBackboneFrom: initFrom),
                Stage(name), cancellation);

        status?.Report("Stage 1/3: pretraining the single-frame backbone.");
        var pretrain = Run("pretrain", singleFrame, Budget(train, options.PretrainSteps, options.PretrainShare), null);
        var backbone = pretrain.Run.LastCheckpoint;

        status?.Report("Stage 2/3: DSA on the frozen backbone.");
        var dsa = Run("dsa", options.Model with { FreezeBackbone = true },
            Budget(train, options.AlignSteps, options.DsaShare), backbone);

        status?.Report($"Stage 3/3: single-frame baseline on the same backbone for the same {dsa.Outcome.Steps} steps.");
        var baseline = Run("baseline", singleFrame with { FreezeBackbone = true }, train with { MaxSteps = dsa.Outcome.Steps }, backbone);

        status?.Report("Writing the report.");
        var report = DemoReport.Write(options, data, pretrain, dsa, baseline);
        return new DemoResult(pretrain, dsa, baseline, report);

        TrainConfig Budget(TrainConfig t, long? steps, double share) => steps is { } n
            ? t with { MaxSteps = n, TimeBudget = null }
            : t with { TimeBudget = TimeSpan.FromMinutes(options.Minutes * share) };
    }
}
