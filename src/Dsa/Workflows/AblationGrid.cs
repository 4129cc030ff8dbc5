using System.Text.Json;
using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// The ablation grid as plan, cells and collection, so that one machine and a cluster run the same code:
/// <see cref="Plan"/> writes PLAN/plan.json (nothing runs), <see cref="RunCell"/> trains and evaluates exactly one
/// (row, seed) into PLAN/ROW/seedN (a Slurm array task or a Kubernetes pod per cell), and <see cref="Collect"/> reads
/// whatever cells are finished. A cell is resumable (a pre-empted job continues from its checkpoint; a finished cell is
/// not retrained) and locked (PLAN/locks/cell-I.lock), so two jobs given the same index never write one run folder.
/// </summary>
public static class AblationGrid
{
    public const string LocksFolder = "locks";
    public const string ErrorsFolder = "errors";

    /// <summary>Writes the grid's plan to its root (or returns the same plan already there; another one is an error unless forced).</summary>
    public static AblationPlan Plan(AblationGridSpec spec)
    {
        var (rows, seeds, baseModel, train, data, planDir) = spec;
        var options = spec.Options;
        if (rows.Count == 0) throw new ArgumentException("Ablation grid: no rows.");
        if (seeds.Count == 0) throw new ArgumentException("Ablation grid: no seeds.");
        if (seeds.Distinct().Count() != seeds.Count) throw new ArgumentException($"Ablation grid: seeds repeat ({string.Join(", ", seeds)}).");
        if (options.InitBackboneFrom is not null && options.WarmStartFrom is not null)
            throw new ArgumentException("Ablation grid: give either a backbone to start from or a single-frame model to warm-start from, not both.");
        foreach (var (path, what) in new[] { (options.InitBackboneFrom, "backbone"), (options.WarmStartFrom, "warm-start") })
            if (path is not null && !File.Exists(path))
                throw new FileNotFoundException($"Ablation grid: the {what} checkpoint {path} does not exist.", path);
        if (!Directory.Exists(data.Root)) throw new DirectoryNotFoundException($"Ablation grid: the dataset folder {data.Root} does not exist.");
        train.Validate();

        var cells = new List<AblationPlanCell>();
        foreach (var row in rows)
            foreach (var seed in seeds)
                cells.Add(new AblationPlanCell(cells.Count, row.Key, seed, $"{row.Key}/seed{seed}", row.Apply(baseModel), train with { Seed = seed }));
        var plan = new AblationPlan(AblationPlan.CurrentVersion, options.Command, rows.Select(r => r.Key).ToList(), seeds.ToList(),
            Path.GetFullPath(data.Root), Full(options.WarmStartFrom), Full(options.InitBackboneFrom), options.MaxTrainSamples, options.Threads, cells);

        if (File.Exists(AblationPlan.PathIn(planDir)))
        {
            var existing = AblationPlan.Read(planDir);
            if (options.Force) Clear(planDir, existing);
            else if (Fingerprint(existing) == Fingerprint(plan)) return existing; // the same grid: its finished cells stay.
            else throw new IOException($"{AblationPlan.PathIn(planDir)} holds a different grid (rows, seeds, configuration or start); " +
                "use another folder, or force to replace it and retrain every cell.");
        }
        plan.Write(planDir);
        return plan;

        static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
    }

    /// <summary>Runs (or resumes, or skips when finished) cell <paramref name="index"/> of the plan in <paramref name="planDir"/>.</summary>
    /// <exception cref="AblationCellBusyException">Another job holds the cell.</exception>
    public static AblationCell RunCell(string planDir, int index, IProgress<TrainingEvent>? progress = null, CancellationToken cancellation = default)
    {
        var plan = AblationPlan.Read(planDir);
        var cell = plan.Cell(index);
        using var cellLock = AblationCellLock.Acquire(LockPath(planDir, index), index, $"{cell.Row} seed {cell.Seed}");
        var dir = Path.Combine(planDir, cell.RunDir);
        if (Finished(dir)) return ReadCell(cell, dir);
        bool resume = File.Exists(RunFolder.At(dir).LastCheckpoint);
        var spec = new ExperimentSpec(dir, cell.Model, cell.Train, new DatasetFolder(plan.Data))
        {
            Force = !resume, Resume = resume, MaxTrainSamples = plan.MaxTrainSamples, Threads = plan.Threads,
            InitBackboneFrom = plan.InitBackboneFrom, WarmStartFrom = plan.WarmStartFrom,
        };
        var errorPath = ErrorPath(planDir, index);
        try
        {
            var result = Experiment.Run(spec, progress, cancellation);
            if (File.Exists(errorPath)) File.Delete(errorPath);
            return new AblationCell(cell.Row, cell.Seed, result.Validation.Columns, result.Validation.Total, dir, result.Elapsed.TotalSeconds,
                PerJoint(result.Validation), result.Outcome.Steps, result.Offsets);
        }
        catch (OperationCanceledException) { throw; } // interrupted with a checkpoint: the next run resumes, nothing failed.
        catch (Exception e)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(errorPath)!);
            Dsa.IO.AtomicFile.WriteAllText(errorPath, $"{e.GetType().Name}: {e.Message}\n{DateTimeOffset.UtcNow:u} on {Environment.MachineName}\n{e}");
            throw;
        }
    }

    /// <summary>Every cell of the plan, in order, in this process (what `dsa ablate` on one machine does).</summary>
    public static AblationCollection RunAll(string planDir, IProgress<(string Row, int Seed, TrainingEvent Event)>? progress = null,
        CancellationToken cancellation = default)
    {
        var plan = AblationPlan.Read(planDir);
        var ranHere = new Dictionary<(string Row, int Seed), AblationCell>();
        foreach (var cell in plan.Cells)
        {
            cancellation.ThrowIfCancellationRequested();
            var cellProgress = progress is null ? null : new InlineProgress<TrainingEvent>(e => progress.Report((cell.Row, cell.Seed, e)));
            ranHere[(cell.Row, cell.Seed)] = RunCell(planDir, cell.Index, cellProgress, cancellation);
        }
        // Collect reads every finished cell back from its folder, which does not keep the time it took: the cells this
        // process ran keep theirs (a cell finished before reads back with 0 seconds).
        var collected = Collect(planDir);
        return collected with { Finished = collected.Finished.Select(c => ranHere.GetValueOrDefault((c.Row, c.Seed), c)).ToList() };
    }

    /// <summary>The finished cells (never a partial one) and the state of every other, with its last error or lock owner.</summary>
    public static AblationCollection Collect(string planDir)
    {
        var plan = AblationPlan.Read(planDir);
        var finished = new List<AblationCell>();
        var unfinished = new List<AblationCellStatus>();
        foreach (var cell in plan.Cells)
        {
            var status = Status(planDir, cell);
            if (status.State == AblationCellState.Finished) finished.Add(ReadCell(cell, Path.Combine(planDir, cell.RunDir)));
            else unfinished.Add(status);
        }
        return new AblationCollection(plan, finished, unfinished);
    }

    /// <summary>Where one cell stands: finished, running (a live lock), failed (an error file), partial (a checkpoint) or pending.</summary>
    public static AblationCellStatus Status(string planDir, AblationPlanCell cell)
    {
        var dir = Path.Combine(planDir, cell.RunDir);
        AblationCellStatus Of(AblationCellState state, string? detail) => new(cell.Index, cell.Row, cell.Seed, state, detail);
        if (Finished(dir)) return Of(AblationCellState.Finished, null);
        var lockPath = LockPath(planDir, cell.Index);
        if (File.Exists(lockPath) && AblationCellLock.ReadOwner(lockPath) is { } owner && !AblationCellLock.IsDeadHere(owner))
            return Of(AblationCellState.Running, $"process {owner.Pid} on {owner.Host} since {owner.StartedUtc:u}");
        var errorPath = ErrorPath(planDir, cell.Index);
        if (File.Exists(errorPath)) return Of(AblationCellState.Failed, File.ReadLines(errorPath).FirstOrDefault());
        var checkpoint = RunFolder.At(dir).LastCheckpoint;
        if (File.Exists(checkpoint))
            return Of(AblationCellState.Partial, $"checkpoint at step {Checkpoint.ReadState(checkpoint).GlobalStep} of {cell.Train.MaxSteps?.ToString() ?? "all epochs"}");
        return Of(AblationCellState.Pending, null);
    }

    public static string LockPath(string planDir, int index) => Path.Combine(planDir, LocksFolder, $"cell-{index}.lock");
    public static string ErrorPath(string planDir, int index) => Path.Combine(planDir, ErrorsFolder, $"cell-{index}.txt");

    private static bool Finished(string runDir) => File.Exists(RunFolder.At(runDir).ValidationAp);

    private static string Fingerprint(AblationPlan plan) => JsonSerializer.Serialize(plan with { Command = "" }, AblationPlan.Json);

    private static void Clear(string planDir, AblationPlan plan)
    {
        foreach (var cell in plan.Cells)
        {
            var dir = Path.Combine(planDir, cell.RunDir);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        foreach (var sub in new[] { LocksFolder, ErrorsFolder })
            if (Directory.Exists(Path.Combine(planDir, sub))) Directory.Delete(Path.Combine(planDir, sub), recursive: true);
    }

    private static IReadOnlyDictionary<string, double> PerJoint(ApResult result) =>
        Skeleton.PoseTrack.Joints.ToDictionary(j => j.Name, j => result.PerJoint[j.Id]);

    private static AblationCell ReadCell(AblationPlanCell cell, string dir)
    {
        var run = RunFolder.At(dir);
        var path = run.ValidationAp;
        JsonNode node;
        try { node = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidDataException) { throw new InvalidDataException($"{path}: unreadable result ({e.Message}); delete it or force to retrain.", e); }
        // ApResultJson writes a value without ground truth (NaN) as null.
        double Field(JsonNode? parent, string name, string where) =>
            parent is JsonObject o && o.TryGetPropertyValue(name, out var v) && (v is null || v is JsonValue)
                ? v is null ? double.NaN : v.AsValue().TryGetValue<double>(out var d) ? d : throw new InvalidDataException($"{path}: field '{where}{name}' is not a number.")
                : throw new InvalidDataException($"{path}: field '{where}{name}' is missing.");
        var columns = Skeleton.ReportColumns.ToDictionary(c => c, c => Field(node["columns"], c, "columns."));
        var perJoint = node["per_joint"] is null ? null : Skeleton.PoseTrack.Joints.ToDictionary(j => j.Name, j => Field(node["per_joint"], j.Name, "per_joint."));
        var offsetsPath = run.AlignmentOffsets;
        var checkpoint = run.LastCheckpoint;
        long steps = File.Exists(checkpoint) ? Checkpoint.ReadState(checkpoint).GlobalStep : 0;
        return new AblationCell(cell.Row, cell.Seed, columns, Field(node, "total", ""), dir, 0, perJoint, steps,
            File.Exists(offsetsPath) ? AlignmentOffsetReport.Read(offsetsPath) : null);
    }
}
