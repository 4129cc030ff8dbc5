namespace Dsa.Notebooks;

/// <summary>How a cell's execution ended.</summary>
public enum CellOutcome
{
    Succeeded,
    /// <summary>A directive or compile error: nothing ran.</summary>
    CompileError,
    /// <summary>The code threw; an error output was emitted.</summary>
    Exception,
    /// <summary>Interrupted or over its time limit (stopped at an interruption point, or abandoned after <see cref="NotebookSession.InterruptGracePeriod"/>); the session goes on.</summary>
    Cancelled,
}
