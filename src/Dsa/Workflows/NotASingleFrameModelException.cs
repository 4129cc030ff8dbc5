namespace Dsa.Workflows;

/// <summary>A run given as the single-frame start of the demo's stages 2 and 3 holds a model with supporting frames.</summary>
public sealed class NotASingleFrameModelException(string run, IReadOnlyList<int> supportOffsets)
    : ArgumentException($"{run}: its checkpoint is not a single-frame model (offsets [{string.Join(", ", supportOffsets)}]).")
{
    public string Run { get; } = run;
}
