namespace Dsa.Notebooks;

/// <summary>How a cell's execution ended.</summary>
public enum CellOutcome
{
    Succeeded,
    /// <summary>A directive or compile error: nothing ran.</summary>
    CompileError,
    /// <summary>The code threw; an error output was emitted.</summary>
    Exception,
    /// <summary>Cancelled or over its time limit; the session cannot continue (see <see cref="NotebookSession.IsBroken"/>).</summary>
    Cancelled,
}
