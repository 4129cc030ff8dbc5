namespace Dsa.Training;

/// <summary>What a <see cref="TrainingEvent"/> reports; log.jsonl and log.csv spell it in lower case ("step", "validation", ...).</summary>
public enum TrainingEventKind
{
    /// <summary>Every TrainConfig.LogEvery optimiser steps and at the end of each epoch: loss, learning rate, throughput.</summary>
    Step,
    /// <summary>After a validation pass: the validation mAP.</summary>
    Validation,
    /// <summary>An epoch's checkpoint was written (the message is its path).</summary>
    Checkpoint,
    /// <summary>The run ended (completed, budget, interrupted, non-finite loss); the message says which.</summary>
    Stopped,
    /// <summary>Something was skipped or cleaned up; the message says what.</summary>
    Warning,
}
