using Dsa.Data.Synthetic;
using Dsa.Evaluation;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// A run is a folder (runs/NAME/) holding its config, logs, checkpoints, TensorBoard events,
/// predictions and results. Nothing is overwritten without <c>force</c>; <c>resume</c> reuses it.
/// </summary>
public sealed class RunFolder : ITrainingOutputs
{
    public string Root { get; }
    public string ConfigPath => Path.Combine(Root, "config.json");
    public string LogJsonl => Path.Combine(Root, "log.jsonl");
    public string LogCsv => Path.Combine(Root, "log.csv");
    public string CheckpointsDir => Path.Combine(Root, "checkpoints");
    public string LastCheckpoint => Path.Combine(CheckpointsDir, "last.ckpt");
    public string BestCheckpoint => Path.Combine(CheckpointsDir, "best.ckpt");
    public string TensorBoardDir => Path.Combine(Root, "tensorboard");
    public string PredictionsDir => Path.Combine(Root, "predictions");
    public string ResultsDir => Path.Combine(Root, "results");
    /// <summary>results/val_ap.json: the final validation AP in dsa eval's schema (written last: its presence means the run finished).</summary>
    public string ValidationAp => Path.Combine(ResultsDir, "val_ap.json");
    /// <summary>results/alignment_offsets.json: how well the trained offsets follow the true motion (models with alignment).</summary>
    public string AlignmentOffsets => Path.Combine(ResultsDir, Inference.AlignmentOffsetReport.FileName);

    private RunFolder(string root) => Root = Path.GetFullPath(root);

    /// <summary>Opens <paramref name="root"/> for a run.</summary>
    /// <exception cref="RunFolderOccupiedException">When the folder holds a run and neither force nor resume was asked for.</exception>
    public static RunFolder Create(string root, bool force = false, bool resume = false)
    {
        var run = new RunFolder(root);
        bool occupied = Directory.Exists(run.Root) && Directory.EnumerateFileSystemEntries(run.Root).Any();
        if (occupied && resume)
        {
            if (!File.Exists(run.LastCheckpoint))
                throw new IOException($"Cannot resume {run.Root}: it has no checkpoint {run.LastCheckpoint}.");
        }
        else if (occupied && !force)
            throw new RunFolderOccupiedException(run.Root);
        else if (occupied && force)
            Directory.Delete(run.Root, recursive: true);
        else if (resume)
            throw new IOException($"Cannot resume {run.Root}: no such run.");
        foreach (var d in new[] { run.Root, run.CheckpointsDir, run.TensorBoardDir, run.PredictionsDir, run.ResultsDir })
            Directory.CreateDirectory(d);
        // Temporaries of writes a crash cut short (never read: the rename is what publishes a file).
        run.RemovedStaleFiles = new[] { run.Root, run.CheckpointsDir, run.PredictionsDir, run.ResultsDir }
            .SelectMany(IO.AtomicFile.RemoveStale).ToList();
        return run;
    }

    /// <summary>Temporary files of interrupted writes that <see cref="Create"/> removed (see <see cref="IO.AtomicFile.RemoveStale"/>).</summary>
    public IReadOnlyList<string> RemovedStaleFiles { get; private set; } = [];

    /// <summary>The layout of a run at <paramref name="root"/>, whether or not it exists (to ask where its files are or would be).</summary>
    public static RunFolder At(string root) => new(root);

    /// <summary>
    /// The blurred/occluded breakdown of this run's predictions/ (one PoseTrack file per validation video, as
    /// Experiment.Run writes them) on the synthetic data set at <paramref name="dataRoot"/> it was trained on.
    /// </summary>
    public DegradationBreakdown DegradationBreakdown(string dataRoot, string split = "val")
    {
        if (!Directory.Exists(PredictionsDir)) throw new DirectoryNotFoundException($"{PredictionsDir}: the run has no predictions folder");
        var data = new DatasetFolder(dataRoot);
        return Evaluation.DegradationBreakdown.ForFolders(data.AnnotationsDir(split), PredictionsDir, SyntheticVideoMeta.Folder(dataRoot, split));
    }

    /// <summary>Opens an existing run read-only (for reports).</summary>
    public static RunFolder Open(string root) =>
        Directory.Exists(root) ? new RunFolder(root) : throw new DirectoryNotFoundException($"Run folder {root} does not exist.");
}
