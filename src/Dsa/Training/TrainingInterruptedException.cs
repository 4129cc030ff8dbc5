namespace Dsa.Training;

/// <summary>Training was cancelled (Ctrl-C, SIGTERM); the position was checkpointed first, so the run can be resumed.</summary>
public sealed class TrainingInterruptedException(string message, string checkpoint) : OperationCanceledException(message)
{
    /// <summary>The checkpoint a resumed run continues from.</summary>
    public string Checkpoint { get; } = checkpoint;
}
