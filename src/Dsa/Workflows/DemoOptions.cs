using Dsa.Data.Synthetic;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>Knobs of `dsa demo`; defaults fit about 10 minutes on 2 CPU cores.</summary>
public sealed record DemoOptions
{
    public string DataRoot { get; init; } = "data/synthetic";
    public string RunRoot { get; init; } = "runs/demo";
    /// <summary>Total wall-time budget in minutes, split over the three training stages.</summary>
    public double Minutes { get; init; } = 10;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; }
    public ModelConfig Model { get; init; } = ModelPresets.CpuSmall;
    public TrainConfig Train { get; init; } = TrainPresets.AlignmentStage with { MaxSteps = null };
    /// <summary>The synthetic set written when <see cref="DataRoot"/> has none (the shipped model's: paper-motion).</summary>
    public SyntheticVideoConfig Synthetic { get; init; } = SyntheticPresets.Default;
    /// <summary>
    /// Single-frame weights (the shipped model's safetensors, or a checkpoint) that DSA and the baseline start from; stage 1
    /// (pretraining) is then skipped. Null: pretrain here (<see cref="PretrainedRun"/>, else from scratch).
    /// </summary>
    public string? StartFrom { get; init; }
    /// <summary>Shares of <see cref="Minutes"/>: backbone pretraining, then DSA (the baseline gets DSA's step count).</summary>
    public double PretrainShare { get; init; } = 0.4;
    public double DsaShare { get; init; } = 0.4;
    /// <summary>Fixed step counts instead of time shares (results then do not depend on the machine's speed or load).</summary>
    public long? PretrainSteps { get; init; }
    /// <summary>A finished single-frame run folder to start stages 2 and 3 from instead of pretraining (e.g. another seed's).</summary>
    public string? PretrainedRun { get; init; }
    /// <summary>Fixed DSA (and so baseline) step count instead of <see cref="DsaShare"/>.</summary>
    public long? AlignSteps { get; init; }
    /// <summary>
    /// Also train the ground-truth-flow diagnostic for DSA's steps: DSA's head with the neighbouring frames warped by the
    /// annotated motion instead of the learned alignment (not in the paper). It shows what alignment is worth on these
    /// videos when it is right, beside what the learned alignment makes of it.
    /// </summary>
    public bool GroundTruthFlow { get; init; } = true;
}
