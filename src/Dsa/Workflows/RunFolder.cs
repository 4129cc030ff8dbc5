namespace Dsa.Workflows;

/// <summary>
/// A run is a folder (runs/NAME/) holding its config, logs, checkpoints, TensorBoard events,
/// predictions and results. Nothing is overwritten without <c>force</c>; <c>resume</c> reuses it.
/// </summary>
public sealed class RunFolder
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

    private RunFolder(string root) => Root = Path.GetFullPath(root);

    /// <summary>Opens <paramref name="root"/> for a run.</summary>
    /// <exception cref="IOException">When the folder holds a run and neither force nor resume was asked for.</exception>
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
            throw new IOException($"Run folder {run.Root} already exists and is not empty; pass --force to overwrite it or --resume to continue it.");
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

    /// <summary>Opens an existing run read-only (for reports).</summary>
    public static RunFolder Open(string root) =>
        Directory.Exists(root) ? new RunFolder(root) : throw new DirectoryNotFoundException($"Run folder {root} does not exist.");
}
