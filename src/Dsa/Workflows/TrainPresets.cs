using Dsa.Training;
namespace Dsa.Workflows;

/// <summary>Named training settings that go with the model presets.</summary>
public static class TrainPresets
{
    /// <summary>The paper: Adam 1e-3, decay x0.1 at epoch 10, batch 48, 20 epochs.</summary>
    public static TrainConfig Paper { get; } = new();

    /// <summary>
    /// cpu-small on synthetic videos: smaller batches (more steps per minute on 2 cores), decay after
    /// 2/3 of the epochs, and the alignment predictors at 0.1x the learning rate (DCNv2 practice; the
    /// paper is silent, see TrainConfig.PredictorLearningRateFactor). Everything else as the paper.
    /// </summary>
    public static TrainConfig CpuSmall { get; } = new() { BatchSize = 16, Epochs = 12, DecayEvery = 8, LogEvery = 5, PredictorLearningRateFactor = 0.1 };

    /// <summary>
    /// Training after a warm start from the shipped single-frame model (the demo's stages 2-3 and the ablation cells):
    /// cpu-small's settings for a fixed number of steps (so every machine gets the same numbers), one learning rate
    /// throughout (no decay inside so short a run), no validation until the end, and the alignment predictors at the full
    /// learning rate: on a frozen pretrained backbone they do not run away, and at 0.1x GAB's offsets stayed at 0.06 px
    /// after 300 steps (0.33 px at 1.0x after 600; true motion 1.95 px; results/ablations, README).
    /// </summary>
    public static TrainConfig AlignmentStage { get; } = CpuSmall with { MaxSteps = 300, Epochs = 1000, DecayEvery = 1000, ValidateEvery = 0, PredictorLearningRateFactor = 1.0 };
}
