namespace Dsa.Workflows;

/// <summary>How every cell of a grid starts and runs (see <see cref="AblationPlan"/>).</summary>
public sealed record AblationPlanOptions
{
    /// <summary>A single-frame checkpoint or safetensors whose backbone and head start every cell.</summary>
    public string? WarmStartFrom { get; init; }
    /// <summary>A checkpoint whose backbone only starts every cell.</summary>
    public string? InitBackboneFrom { get; init; }
    public int? MaxTrainSamples { get; init; }
    /// <summary>Torch CPU threads per cell (0 = libtorch default).</summary>
    public int Threads { get; init; }
    /// <summary>The command line, recorded in the plan and the results.</summary>
    public string Command { get; init; } = "";
    /// <summary>Replace a different plan in the folder and retrain every cell.</summary>
    public bool Force { get; init; }
}
