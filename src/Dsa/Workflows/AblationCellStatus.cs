namespace Dsa.Workflows;

/// <summary>A cell of a planned grid that is not (yet) finished, with its last error or lock owner.</summary>
public sealed record AblationCellStatus(int Index, string Row, int Seed, AblationCellState State, string? Detail);
