namespace Dsa.Training;

/// <summary>How a run ended.</summary>
public enum TrainingStatus
{
    Completed,
    /// <summary>Cancelled (Ctrl-C): a checkpoint was written first, so <c>--resume</c> continues.</summary>
    Interrupted,
    /// <summary>The time budget or the step limit ran out; the last checkpoint is current.</summary>
    BudgetExhausted,
    /// <summary>A NaN or infinite loss: stopped, the last good checkpoint kept untouched.</summary>
    NonFiniteLoss,
}

/// <summary>The result of <see cref="Trainer.Run"/>.</summary>
public sealed record TrainingOutcome(
    TrainingStatus Status,
    int EpochsCompleted,
    long Steps,
    IReadOnlyList<double> StepLosses,
    double? BestValidationMap,
    int? BestEpoch,
    string Message);
