namespace Dsa.Training;

/// <summary>
/// Optimisation settings. Defaults are the paper's "Implementation details": Adam, lr 1e-3 "decaying
/// by 10% every 10 epochs" (ambiguous; DSA-READING.md: gamma 0.1 at epoch 10 like the DCPose family,
/// switchable to 0.9), batch 48, 20 epochs.
/// </summary>
public sealed record TrainConfig
{
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Epochs between learning-rate decays.</summary>
    public int DecayEvery { get; init; } = 10;
    /// <summary>Factor applied at each decay: 0.1 (our reading) or 0.9 (the literal "10%").</summary>
    public double DecayGamma { get; init; } = 0.1;
    public int BatchSize { get; init; } = 48;
    public int Epochs { get; init; } = 20;
    /// <summary>Clip the global gradient norm to this value; null = no clipping.</summary>
    public double? GradientClipNorm { get; init; }
    /// <summary>
    /// Learning-rate factor of the alignment predictors (GAB's offset and mask branches, LEB's affine
    /// branch). The paper does not say; DCNv2 practice (mmcv's conv_offset lr_mult) trains offset
    /// branches at 0.1x, because unchecked offsets run off the feature map (we saw 24-pixel offsets on a
    /// 32x24 map after 300 steps at 1.0x). 1.0 = one learning rate for everything.
    /// </summary>
    public double PredictorLearningRateFactor { get; init; } = 1.0;
    /// <summary>
    /// After a warm start (Checkpoint.WarmStart): the share of the head's first-conv weights given to the supporting
    /// frames. 0 (default): key slice = the single-frame weights, supporting slices = 0, so step 0 is exactly the
    /// single-frame model, but every gradient into GAB and LEB is gated by those zero weights. s &gt; 0: key slice (1-s) W,
    /// each of the T-1 supporting slices s W / (T-1): identical features still give the single-frame output, and the
    /// alignment gets a gradient from step 0.
    /// </summary>
    public double WarmStartSupportShare { get; init; }
    /// <summary>
    /// A diagnostic, not the paper (which trains GAB through the pose loss alone): weight of an extra loss that pulls the
    /// alignment's displacement at each annotated key joint (the aligner's whole displacement where it reports one, the
    /// cascade and the coarse-to-fine U-Net; else the first full-resolution GAB's mean offset) towards the joint's true
    /// displacement to each supporting frame (<see cref="OffsetSupervisionLoss"/>). It answers "would aligned features help the head at all?". 0 = off.
    /// </summary>
    public double OffsetSupervision { get; init; }
    /// <summary>Validate (poseval AP) every this many epochs; 0 = never.</summary>
    public int ValidateEvery { get; init; } = 1;
    /// <summary>The seed of every random choice (torch and the data pipeline).</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Write a log line every this many optimiser steps.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Stop after this many optimiser steps (to give two models the same number of steps); null = run all epochs.</summary>
    public long? MaxSteps { get; init; }
    /// <summary>Stop after this much wall time (the demo's budget); null = run all epochs.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>The learning rate during <paramref name="epoch"/> (0-based): step decay.</summary>
    public double LearningRateAt(int epoch) => LearningRate * Math.Pow(DecayGamma, epoch / Math.Max(1, DecayEvery));

    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"TrainConfig.LearningRate = {LearningRate} must be a positive number.");
        if (!(DecayGamma > 0) || DecayGamma > 1) throw new ArgumentException($"TrainConfig.DecayGamma = {DecayGamma} must be in (0, 1].");
        if (DecayEvery < 1) throw new ArgumentException($"TrainConfig.DecayEvery = {DecayEvery} must be >= 1.");
        if (BatchSize < 1) throw new ArgumentException($"TrainConfig.BatchSize = {BatchSize} must be >= 1.");
        if (Epochs < 1) throw new ArgumentException($"TrainConfig.Epochs = {Epochs} must be >= 1.");
        if (!(PredictorLearningRateFactor > 0) || !double.IsFinite(PredictorLearningRateFactor)) throw new ArgumentException($"TrainConfig.PredictorLearningRateFactor = {PredictorLearningRateFactor} must be a positive number.");
        if (!(WarmStartSupportShare >= 0 && WarmStartSupportShare < 1)) throw new ArgumentException($"TrainConfig.WarmStartSupportShare = {WarmStartSupportShare} must be in [0, 1).");
        if (!(OffsetSupervision >= 0) || double.IsInfinity(OffsetSupervision)) throw new ArgumentException($"TrainConfig.OffsetSupervision = {OffsetSupervision} must be a finite number >= 0.");
        if (MaxSteps is { } m && m < 1) throw new ArgumentException($"TrainConfig.MaxSteps = {m} must be >= 1.");
        if (GradientClipNorm is { } c && !(c > 0)) throw new ArgumentException($"TrainConfig.GradientClipNorm = {c} must be positive.");
    }
}
