namespace Dsa.Workflows;

/// <summary>Where one cell of a planned grid stands.</summary>
public enum AblationCellState
{
    /// <summary>Nothing written yet.</summary>
    Pending,
    /// <summary>A job holds its lock.</summary>
    Running,
    /// <summary>Stopped with a checkpoint and no result: the next run of the cell resumes it.</summary>
    Partial,
    /// <summary>Its last run ended in an error (PLAN/errors/cell-I.txt).</summary>
    Failed,
    /// <summary>Trained and evaluated: results/val_ap.json exists.</summary>
    Finished,
}
