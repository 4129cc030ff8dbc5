using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// An ablation grid: every row of <paramref name="Rows"/> (Tables 4-5, the single-frame baseline) applied to
/// <paramref name="BaseModel"/>, trained with <paramref name="Train"/> once per seed on <paramref name="Data"/>, one run
/// folder per cell under <paramref name="Root"/> (ROOT/ROW/seedN). <see cref="Options"/> says how every cell starts.
/// </summary>
public sealed record AblationGridSpec(
    IReadOnlyList<AblationRow> Rows, IReadOnlyList<int> Seeds, ModelConfig BaseModel, TrainConfig Train, DatasetFolder Data, string Root)
{
    public AblationPlanOptions Options { get; init; } = new();
}
