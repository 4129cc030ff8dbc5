namespace Dsa.Notebooks;

/// <summary>What a notebook run did.</summary>
/// <param name="Succeeded">False when a cell failed without the raises-exception tag (later cells were not run).</param>
/// <param name="CellsExecuted">Code cells executed.</param>
/// <param name="Duration">Wall time of the whole run.</param>
/// <param name="FailedCellIndex">Index in Cells of the cell that stopped the run.</param>
/// <param name="Failure">"ename: evalue" of that cell's error.</param>
public sealed record NotebookRunResult(bool Succeeded, int CellsExecuted, TimeSpan Duration, int? FailedCellIndex, string? Failure)
{
    /// <summary>True when the run was cancelled from outside (SIGTERM, Ctrl-C) rather than stopped by a failing cell.</summary>
    public bool Interrupted { get; init; }
}
