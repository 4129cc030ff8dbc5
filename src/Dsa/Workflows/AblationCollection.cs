namespace Dsa.Workflows;

/// <summary>What <see cref="AblationGrid.Collect"/> found: the finished cells (in plan order) and every other cell with its state.</summary>
public sealed record AblationCollection(AblationPlan Plan, IReadOnlyList<AblationCell> Finished, IReadOnlyList<AblationCellStatus> Unfinished)
{
    public bool Complete => Unfinished.Count == 0;
}
