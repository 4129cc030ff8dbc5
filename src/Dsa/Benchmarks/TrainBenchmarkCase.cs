using Dsa.Nn;

namespace Dsa.Benchmarks;

/// <summary>One model timed by <see cref="TrainBenchmark"/>: a name and the full model configuration (what the PyTorch mirror builds).</summary>
public sealed record TrainBenchmarkCase(string Name, ModelConfig Model)
{
    /// <summary>
    /// cpu-small DSA (the complete model), the single-frame baseline (same backbone and head, no
    /// supporting frames), and DSA with a frozen backbone (the demo's stage-2 setting).
    /// </summary>
    public static IReadOnlyList<TrainBenchmarkCase> Defaults { get; } = new[]
    {
        new TrainBenchmarkCase("dsa-complete", ModelPresets.CpuSmall),
        new TrainBenchmarkCase("single-frame", Ablations.Get("single-frame").Apply(ModelPresets.CpuSmall)),
        new TrainBenchmarkCase("dsa-frozen-backbone", ModelPresets.CpuSmall with { FreezeBackbone = true }),
    };
}
