using System.Text.Json;
using System.Text.Json.Serialization;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// An ablation grid written down before anything runs (PLAN/plan.json): every cell with its resolved model and training
/// configuration, and the absolute data and warm-start paths, so that any machine that mounts the plan at the same path
/// (a Slurm job array, a Kubernetes Indexed Job) runs exactly the same cell for the same index.
/// </summary>
/// <param name="Rows">The row keys in table order (<see cref="Ablations.All"/>).</param>
/// <param name="Command">The command line that made the plan (recorded with the results).</param>
/// <param name="Data">The dataset folder, absolute.</param>
/// <param name="WarmStartFrom">A single-frame checkpoint or safetensors whose backbone and head start every cell (Checkpoint.WarmStart).</param>
/// <param name="InitBackboneFrom">A checkpoint whose backbone only starts every cell.</param>
/// <param name="Threads">Torch CPU threads per cell (0 = libtorch default).</param>
public sealed record AblationPlan(
    int Version, string Command, IReadOnlyList<string> Rows, IReadOnlyList<int> Seeds, string Data,
    string? WarmStartFrom, string? InitBackboneFrom, int? MaxTrainSamples, int Threads, IReadOnlyList<AblationPlanCell> Cells)
{
    public const string FileName = "plan.json";
    public const int CurrentVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string PathIn(string planDir) => System.IO.Path.Combine(planDir, FileName);

    public void Write(string planDir)
    {
        Directory.CreateDirectory(planDir);
        AtomicFile.WriteAllText(PathIn(planDir), JsonSerializer.Serialize(this, Json));
    }

    /// <summary>Reads PLAN/plan.json, checking what a cell needs (errors name the file and the field).</summary>
    public static AblationPlan Read(string planDir)
    {
        var path = PathIn(planDir);
        if (!File.Exists(path)) throw new FileNotFoundException($"{planDir}: no {FileName}; make one with the ablation grid's plan step first.", path);
        AblationPlan plan;
        try { plan = JsonSerializer.Deserialize<AblationPlan>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not an ablation plan ({e.Message}).", e); }
        if (plan.Version != CurrentVersion) throw new InvalidDataException($"{path}: field 'version' is {plan.Version}; this build reads version {CurrentVersion}.");
        if (plan.Cells is null || plan.Cells.Count == 0) throw new InvalidDataException($"{path}: field 'cells' is empty.");
        for (int i = 0; i < plan.Cells.Count; i++)
        {
            var c = plan.Cells[i];
            if (c is null || c.Index != i) throw new InvalidDataException($"{path}: cells[{i}]: field 'index' must be {i}.");
            if (c.Model is null || c.Train is null) throw new InvalidDataException($"{path}: cells[{i}]: fields 'model' and 'train' are required.");
            if (string.IsNullOrEmpty(c.RunDir) || System.IO.Path.IsPathRooted(c.RunDir) || c.RunDir.Split('/', '\\').Contains(".."))
                throw new InvalidDataException($"{path}: cells[{i}]: field 'run_dir' must be a folder inside the plan; got '{c.RunDir}'.");
            c.Train.Validate();
        }
        return plan;
    }

    /// <summary>The cell for <paramref name="index"/>, with an error that says the valid range.</summary>
    public AblationPlanCell Cell(int index) => index >= 0 && index < Cells.Count ? Cells[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"cell index {index} is outside the plan's 0..{Cells.Count - 1}.");
}
