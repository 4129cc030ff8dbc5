namespace Dsa.Notebooks;

/// <summary>The result of executing one cell: its Jupyter execution count, how it ended, and its wall time.</summary>
public sealed record CellExecution(int ExecutionCount, CellOutcome Outcome, TimeSpan Duration, DateTimeOffset Started, DateTimeOffset Finished)
{
    public bool Succeeded => Outcome == CellOutcome.Succeeded;
}
