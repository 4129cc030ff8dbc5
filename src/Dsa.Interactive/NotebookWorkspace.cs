using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Data.Synthetic;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;
using static TorchSharp.torch;

namespace Dsa.Interactive;

/// <summary>
/// What every notebook needs around its own cells, in one place: the repository and fixtures roots, the budget
/// (<c>full</c> or <c>smoke</c>), a scratch folder for smoke runs (deleted by <see cref="Dispose"/>), paths shown
/// relative to those roots (never a machine path in a committed output), the synthetic set generated when absent,
/// and a trained DSA model (the demo's, else a brief run kept for the other notebooks). It works the same in our
/// runner and kernel and in .NET Interactive: it asks no front end for anything, and installs the native-library
/// resolvers and formatters .NET Interactive needs (<see cref="NativeLibraryResolver"/>, <see cref="DsaFormatters"/>).
/// </summary>
public sealed class NotebookWorkspace : IDisposable
{
    /// <summary>The file that marks the repository root.</summary>
    public const string RepositoryMarker = "DSA.Research.sln";

    /// <summary>The smoke budget's synthetic set: 2 train and 1 val video of 8 frames (seconds to write and read).</summary>
    public static SyntheticVideoConfig SmokeSynthetic { get; } = new() { TrainVideos = 2, ValVideos = 1, Frames = 8, Seed = 3 };

    private readonly Lazy<string> scratch;

    private NotebookWorkspace(string repositoryRoot, bool smoke)
    {
        RepositoryRoot = repositoryRoot;
        Smoke = smoke;
        FixturesRoot = Path.GetFullPath(Environment.GetEnvironmentVariable("DSA_FIXTURES") is { Length: > 0 } f ? f : Path.Combine(repositoryRoot, "..", "shared", "fixtures"));
        scratch = new(() => Directory.CreateTempSubdirectory("dsa-notebook-").FullName);
    }

    /// <summary>
    /// The workspace of a notebook run at <paramref name="budget"/> ("full" or "smoke"; the parameters cell takes it
    /// from DSA_BUDGET). The repository is found above <paramref name="start"/> (default: the current directory, which
    /// Jupyter sets to the notebook's folder), else above this assembly (the build inside the repository).
    /// </summary>
    public static NotebookWorkspace Open(string budget, string? start = null)
    {
        if (budget is not ("full" or "smoke"))
            throw new ArgumentException($"Budget is '{budget}': use \"full\" or \"smoke\" (the parameters cell, DSA_BUDGET or --param Budget=...).", nameof(budget));
        NativeLibraryResolver.Install();
        DsaFormatters.Register();
        string root = FindRepository(start ?? Environment.CurrentDirectory)
            ?? FindRepository(Path.GetDirectoryName(typeof(NotebookWorkspace).Assembly.Location)!)
            ?? throw new DirectoryNotFoundException($"No {RepositoryMarker} above {start ?? Environment.CurrentDirectory} or the workbench's build: open the notebook from the repository's notebooks/ folder.");
        return new NotebookWorkspace(root, budget == "smoke");
    }

    private static string? FindRepository(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, RepositoryMarker))) return dir.FullName;
        return null;
    }

    public bool Smoke { get; }
    public string RepositoryRoot { get; }
    /// <summary>../shared/fixtures beside the repository, or DSA_FIXTURES; it may be absent (cells then say so and skip).</summary>
    public string FixturesRoot { get; }
    /// <summary>A fresh temporary folder, made on first use and deleted by <see cref="Dispose"/>.</summary>
    public string Scratch => scratch.Value;

    /// <summary>The running cell's interrupt, in every front end (<see cref="CellCancellation"/>).</summary>
    public CancellationToken Cancellation => CellCancellation.Current;

    /// <summary>Where a notebook keeps a run: runs/notebooks/NAME at the full budget, the scratch folder at smoke.</summary>
    public string RunFolder(string name) => Smoke ? Path.Combine(Scratch, name) : Path.Combine(RepositoryRoot, "runs", "notebooks", name);

    /// <summary>A path as a committed output may show it: relative to the repository, "fixtures/..." or "&lt;scratch&gt;/...".</summary>
    public string Show(string path)
    {
        path = Path.GetFullPath(path);
        var roots = new List<(string Root, string Label)> { (RepositoryRoot, ""), (FixturesRoot, "fixtures/") };
        if (scratch.IsValueCreated) roots.Insert(0, (Scratch, "<scratch>/"));
        foreach (var (root, label) in roots)
            if (path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                return label + Path.GetRelativePath(root, path).Replace('\\', '/');
        return Path.GetFileName(path);
    }

    /// <summary>
    /// The synthetic set: at the full budget data/synthetic (written with <paramref name="full"/>, default
    /// <see cref="SyntheticPresets.Default"/>, the paper-motion set the demo and the shipped model use, only when absent); at smoke a fresh set in the scratch folder
    /// (<paramref name="smoke"/>, default <see cref="SmokeSynthetic"/>).
    /// </summary>
    public SyntheticSet Synthetic(SyntheticVideoConfig? full = null, SyntheticVideoConfig? smoke = null)
    {
        var config = Smoke ? smoke ?? SmokeSynthetic : full ?? SyntheticPresets.Default;
        string root = Smoke ? Path.Combine(Scratch, "data") : Path.Combine(RepositoryRoot, "data", "synthetic");
        bool present = Directory.Exists(Path.Combine(root, "annotations"));
        var summary = present ? SyntheticVideoSummary.Read(root) : new SyntheticVideoGenerator(config).Write(root);
        return new SyntheticSet(new DatasetFolder(root), config, summary, Written: !present);
    }

    /// <summary>What <c>dsa demo</c> writes under the repository's runs/demo (its run folders, results.json, report.html).</summary>
    public Workflows.DemoLayout Demo => new(Path.Combine(RepositoryRoot, Workflows.DemoLayout.DefaultRoot));

    /// <summary>
    /// A trained DSA model to look inside: the demo's (<see cref="Demo"/>'s DSA run) when present; else the brief run an
    /// earlier notebook left in runs/notebooks/brief-dsa; else a brief run from scratch on <paramref name="data"/>
    /// (<paramref name="briefSteps"/> steps of <paramref name="batchSize"/>; 1 step of 2 at smoke, in the scratch folder),
    /// kept there for the other notebooks. The model is in eval mode.
    /// </summary>
    public TrainedModel TrainedDsa(SyntheticSet data, int briefSteps = 80, int batchSize = 4)
    {
        string demo = Demo.Dsa.LastCheckpoint, brief = Workflows.RunFolder.At(RunFolder("brief-dsa")).LastCheckpoint;
        if (!Smoke && (File.Exists(demo) || File.Exists(brief)))
        {
            string path = File.Exists(demo) ? demo : brief;
            var (model, state) = Checkpoint.LoadModel(path);
            model.eval();
            return new TrainedModel(model, Show(path), state.GlobalStep,
                path == demo ? "dsa demo: warm-started from the shipped single-frame model" : "brief run from scratch");
        }
        (briefSteps, batchSize) = Smoke ? (1, 2) : (briefSteps, batchSize);
        manual_seed(1);
        var trained = DsaNet.FromPreset("cpu-small");
        var trainSet = PoseTrackVideoDataset.FromFolder(data.Folder.AnnotationsDir("train"), data.Folder.Root);
        var loader = new DataLoader(trainSet, Experiment.Pipeline(trained.Config), new DataLoaderOptions { BatchSize = batchSize, Seed = 1 });
        var outcome = Trainer.Run(trained, new PoseTrackTrainingData(loader),
            TrainPresets.CpuSmall with { BatchSize = batchSize, MaxSteps = briefSteps, ValidateEvery = 0 },
            Workflows.RunFolder.Create(RunFolder("brief-dsa"), force: true), cancellation: Cancellation);
        trained.eval();
        return new TrainedModel(trained, Show(RunFolder("brief-dsa")), outcome.Steps,
            $"no demo model in runs/demo: trained here from scratch, {outcome.Steps} steps of batch {batchSize}, loss {outcome.StepLosses[0]:E2} -> {outcome.StepLosses[^1]:E2}");
    }

    /// <summary>Deletes the scratch folder (smoke runs leave nothing behind).</summary>
    public void Dispose()
    {
        if (scratch.IsValueCreated && Directory.Exists(scratch.Value)) Directory.Delete(scratch.Value, recursive: true);
    }
}

/// <summary>The synthetic set a notebook works on.</summary>
/// <param name="Written">True when this run generated it (it was absent).</param>
public sealed record SyntheticSet(DatasetFolder Folder, SyntheticVideoConfig Config, SyntheticVideoSummary Summary, bool Written)
{
    public string Root => Folder.Root;
}

/// <summary>A trained model with where it came from.</summary>
/// <param name="Source">Its checkpoint or run folder, as <see cref="NotebookWorkspace.Show"/> prints it.</param>
public sealed record TrainedModel(DsaNet Model, string Source, long Steps, string Description)
{
    public override string ToString() => $"{Source}: {Steps} training steps ({Description})";
}
