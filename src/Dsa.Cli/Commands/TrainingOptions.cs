using System.CommandLine;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>The options `dsa train` and `dsa ablate` share: preset, data, and overrides of the paper's defaults.</summary>
internal sealed class TrainingOptions
{
    public Option<string> Preset { get; } = new("--preset") { Description = "Preset (model and training): " + Presets.Names, DefaultValueFactory = _ => Presets.DefaultName };
    public Option<string> Data { get; } = new("--data") { Description = "Dataset folder (annotations/{train,val}/*.json + frames)", DefaultValueFactory = _ => "data/synthetic" };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Epochs (paper: 20)" };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Batch size (paper: 48)" };
    public Option<double?> LearningRate { get; } = new("--lr") { Description = "Adam learning rate (paper: 1e-3)" };
    public Option<double?> DecayGamma { get; } = new("--decay-gamma") { Description = "Step-decay factor: 0.1 (default, our reading) or 0.9 (literal '10%')" };
    public Option<int?> DecayEvery { get; } = new("--decay-every") { Description = "Epochs between decays (paper: 10)" };
    public Option<double?> OffsetSupervision { get; } = new("--offset-supervision") { Description = "A diagnostic, not the paper: weight of a loss pulling GAB's offsets at the annotated joints towards the true motion (0: off)" };
    public Option<double?> WarmStartSupportShare { get; } = new("--warm-start-support-share") { Description = "After a warm start, the head's share for the supporting frames (0: they start at zero, step 0 = the single-frame model)" };
    public Option<double?> PredictorLrFactor { get; } = new("--predictor-lr-factor") { Description = "Learning-rate factor of GAB/LEB offset, mask and affine branches (cpu-small: 0.1, DCNv2 practice; paper: silent)" };
    public Option<double?> Clip { get; } = new("--clip") { Description = "Clip the gradient norm to this value" };
    public Option<bool?> CoarseToFine { get; } = new("--coarse-to-fine") { Description = "true or false: the U-Net's decoder carries each coarser level's motion down (our reading of 'global-to-local'; default: the preset's)" };
    public Option<bool?> IdentityStart { get; } = new("--identity-start") { Description = "true or false: every alignment module starts as the identity, so step 0 computes r/m alignment (our choice; default: the preset's)" };
    public Option<double?> AnnotatedFlowNoise { get; } = new("--annotated-flow-noise") { Description = "A diagnostic, not the paper: noise (heatmap px, std per component) added to the annotated motion the ground-truth rows warp by" };
    public Option<bool> FreezeBackbone { get; } = new("--freeze-backbone") { Description = "Keep the backbone fixed (the paper does not say; DCPose freezes)" };
    public Option<string?> BackboneWeights { get; } = new("--backbone-weights") { Description = "Official HRNet COCO checkpoint (.pth) for the backbone (strict; final layer dropped)" };
    public Option<int?> MaxSamples { get; } = new("--max-samples") { Description = "Train on the first N samples only" };
    public Option<double?> Minutes { get; } = new("--minutes") { Description = "Stop training after this many minutes (checkpoint kept)" };
    public Option<long?> Steps { get; } = new("--steps") { Description = "Stop training after this many optimiser steps (checkpoint kept); with a fixed seed, results do not depend on machine load" };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda (cuda needs the cuda-linux build)", DefaultValueFactory = _ => "cpu" };
    public Option<int> Threads { get; } = new("--threads") { Description = "Torch CPU threads (0 = libtorch default)", DefaultValueFactory = _ => 0 };
    public Option<int> ValidateEvery { get; } = new("--validate-every") { Description = "Validate every N epochs (0 = only at the end)", DefaultValueFactory = _ => 1 };
    public Option<bool> Force { get; } = new("--force") { Description = "Overwrite an existing run folder" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Preset, Data, Epochs, BatchSize, LearningRate, DecayGamma, DecayEvery, PredictorLrFactor, WarmStartSupportShare, OffsetSupervision, Clip, CoarseToFine, IdentityStart, AnnotatedFlowNoise, FreezeBackbone, BackboneWeights, MaxSamples, Minutes, Steps, Device, Threads, ValidateEvery, Force })
            command.Options.Add(o);
    }

    public ModelConfig Model(ParseResult parse)
    {
        var model = Presets.Get(parse.GetValue(Preset)!).Model;
        return model with
        {
            FreezeBackbone = parse.GetValue(FreezeBackbone) || model.FreezeBackbone,
            CoarseToFine = parse.GetValue(CoarseToFine) ?? model.CoarseToFine,
            IdentityStart = parse.GetValue(IdentityStart) ?? model.IdentityStart,
            AnnotatedFlowNoise = parse.GetValue(AnnotatedFlowNoise) ?? model.AnnotatedFlowNoise,
        };
    }

    /// <summary>The preset's TrainConfig (the paper's, or cpu-small's CPU-friendly one), then the command line's.</summary>
    public TrainConfig Train(ParseResult parse)
    {
        var t = Presets.Get(parse.GetValue(Preset)!).Train;
        return t with
        {
            Epochs = parse.GetValue(Epochs) ?? t.Epochs,
            BatchSize = parse.GetValue(BatchSize) ?? t.BatchSize,
            LearningRate = parse.GetValue(LearningRate) ?? t.LearningRate,
            DecayGamma = parse.GetValue(DecayGamma) ?? t.DecayGamma,
            DecayEvery = parse.GetValue(DecayEvery) ?? t.DecayEvery,
            GradientClipNorm = parse.GetValue(Clip) ?? t.GradientClipNorm,
            PredictorLearningRateFactor = parse.GetValue(PredictorLrFactor) ?? t.PredictorLearningRateFactor,
            WarmStartSupportShare = parse.GetValue(WarmStartSupportShare) ?? t.WarmStartSupportShare,
            OffsetSupervision = parse.GetValue(OffsetSupervision) ?? t.OffsetSupervision,
            TimeBudget = parse.GetValue(Minutes) is { } m ? TimeSpan.FromMinutes(m) : t.TimeBudget,
            MaxSteps = parse.GetValue(Steps) ?? t.MaxSteps,
            ValidateEvery = parse.GetValue(ValidateEvery),
        };
    }
}
