namespace Dsa.Training;

/// <summary>
/// Where a training run writes: its config, logs, checkpoints and TensorBoard events. The run-folder layout
/// (Workflows.RunFolder) provides it; the loop needs only these paths, not the layout around them.
/// </summary>
public interface ITrainingOutputs
{
    /// <summary>config.json: the model and training configs the run started with.</summary>
    string ConfigPath { get; }
    /// <summary>log.jsonl: one <see cref="TrainingEvent"/> per line (<see cref="MetricsLog"/>).</summary>
    string LogJsonl { get; }
    /// <summary>log.csv: the same rows as CSV.</summary>
    string LogCsv { get; }
    /// <summary>The checkpoint written after every epoch and on interruption (what resume continues from).</summary>
    string LastCheckpoint { get; }
    /// <summary>The checkpoint of the best validation mAP so far.</summary>
    string BestCheckpoint { get; }
    string TensorBoardDir { get; }
    /// <summary>Temporary files of interrupted writes removed when the folder was opened (reported as warnings).</summary>
    IReadOnlyList<string> RemovedStaleFiles { get; }
}
