using Dsa.Cli;
using System.CommandLine;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>
/// `dsa ablate`: the paper's Tables 4 and 5 re-run with seeds. On one machine `dsa ablate [options]` plans, runs every
/// cell and collects in one process; on a cluster `plan`, then one `cell` per job (Slurm array / Kubernetes Indexed Job,
/// scripts from `emit`), then `collect`: the same code path.
/// </summary>
internal static class AblateCommand
{
    public static Command Create()
    {
        var grid = new GridOptions();
        var command = new Command("ablate", "Train and evaluate each ablation row with several seeds; summarise mean and std per column (subcommands: plan, cell, collect, emit).");
        grid.AddTo(command);
        command.SetAction(parse => RunHere(parse, grid, Interruption.Token));
        command.Subcommands.Add(PlanCommand());
        command.Subcommands.Add(CellCommand());
        command.Subcommands.Add(CollectCommand());
        command.Subcommands.Add(EmitCommand());
        return command;
    }

    /// <summary>The grid's options, shared by `dsa ablate` and `dsa ablate plan`.</summary>
    private sealed class GridOptions
    {
        public TrainingOptions Training { get; } = new();
        public Option<string> Rows { get; } = new("--rows") { Description = "all, or a comma list of: " + string.Join(", ", Ablations.Known.Select(r => r.Key)), DefaultValueFactory = _ => "all" };
        public Option<int> Seeds { get; } = new("--seeds") { Description = "Seeds per row (1, 2, ... N)", DefaultValueFactory = _ => 3 };
        public Option<string> Out { get; } = new("--out") { Description = "Folder of the grid: plan.json and one run folder per row and seed", DefaultValueFactory = _ => "runs/ablate" };
        public Option<string?> WarmStart { get; } = new("--warm-start") { Description = "A single-frame checkpoint or safetensors whose backbone and head start every row (default: the shipped model, backbone frozen)" };
        public Option<string?> InitBackbone { get; } = new("--init-backbone") { Description = "A checkpoint whose backbone (only) starts every row" };
        public Option<bool> FromScratch { get; } = new("--from-scratch") { Description = "Start every row from random weights, with the preset's epochs (the behaviour before the shipped model)" };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Rows, Seeds, Out, WarmStart, InitBackbone, FromScratch }) command.Options.Add(o);
            Training.AddTo(command);
        }

        public AblationPlan Plan(ParseResult parse, string command)
        {
            var start = StartingPoint.Resolve(parse.GetValue(FromScratch), parse.GetValue(WarmStart), parse.GetValue(InitBackbone), parse.GetValue(Training.Preset)!);
            var model = Training.Model(parse);
            var train = Training.Train(parse);
            // A warm start trains the alignment stage only: a fixed step budget unless the command line sets one; the shipped
            // start (the demo's protocol) also keeps its backbone frozen.
            if (start.WarmStart is not null) train = StartingPoint.AlignmentStage(parse, Training);
            if (start.Shipped is not null) model = model with { FreezeBackbone = true };
            return AblationGrid.Plan(new AblationGridSpec(Ablations.Parse(parse.GetValue(Rows)!), Enumerable.Range(1, parse.GetValue(Seeds)).ToList(), model, train,
                new DatasetFolder(parse.GetValue(Training.Data)!), parse.GetValue(Out)!)
            {
                Options = new AblationPlanOptions
                {
                    WarmStartFrom = start.WarmStart, InitBackboneFrom = start.InitBackbone, MaxTrainSamples = parse.GetValue(Training.MaxSamples),
                    Threads = parse.GetValue(Training.Threads), Force = parse.GetValue(Training.Force), Command = command,
                },
            });
        }
    }

    private static string CommandLine() => "dsa " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1));

    private static int RunHere(ParseResult parse, GridOptions grid, CancellationToken cancellation)
    {
        var plan = grid.Plan(parse, CommandLine());
        var outDir = parse.GetValue(grid.Out)!;
        var collection = AblationGrid.RunAll(outDir, new InlineProgress<(string Row, int Seed, TrainingEvent Event)>(p =>
        {
            if (p.Event.Kind is TrainingEventKind.Validation or TrainingEventKind.Stopped)
                Console.WriteLine($"{p.Row} seed {p.Seed}: epoch {p.Event.Epoch} {(p.Event.ValidationMap is { } m ? $"val mAP {m:F2}" : p.Event.Message)}");
        }), cancellation);
        return Report(collection, outDir);
    }

    private static int Report(AblationCollection collection, string outDir)
    {
        var rows = collection.Plan.Rows.Select(Ablations.Get).ToList();
        var summary = AblationRunner.Summarise(collection.Finished, rows);
        AblationRunner.Save(outDir, collection.Finished, summary, collection.Plan.Command);
        var table = new Table().AddColumn("Row").AddColumn("Paper").AddColumn("Seeds");
        foreach (var c in AblationRunner.MetricColumns) table.AddColumn(new TableColumn(c).RightAligned());
        table.AddColumn(new TableColumn("GAB EPE / no-align px").RightAligned());
        foreach (var s in summary)
        {
            var offsets = collection.Finished.Where(c => c.Row == s.Row && c.Offsets?.GabError is not null).Select(c => c.Offsets!).ToList();
            table.AddRow(new[] { s.Row, s.PaperMap?.ToString("F1") ?? "-", s.Seeds.ToString() }
                .Concat(AblationRunner.MetricColumns.Select(c => $"{s.Mean[c]:F1} ± {s.Std[c]:F1}"))
                .Append(offsets.Count == 0 ? "-" : $"{offsets.Average(o => o.GabError!.Value):F2} / {offsets.Average(o => o.TrueMotion):F2}").ToArray());
        }
        AnsiConsole.Write(table);
        foreach (var u in collection.Unfinished)
            Console.WriteLine($"cell {u.Index} ({u.Row} seed {u.Seed}): {u.State.ToString().ToLowerInvariant()}{(u.Detail is null ? "" : ": " + u.Detail)}");
        Console.WriteLine($"Summary: {Path.GetFullPath(Path.Combine(outDir, "ablation.csv"))} (per cell: cells.csv; with per-joint AP: ablation.json)");
        return collection.Complete ? 0 : 3;
    }

    private static Command PlanCommand()
    {
        var grid = new GridOptions();
        var command = new Command("plan", "Write the grid's plan (PLAN/plan.json: every cell's resolved configuration); nothing runs.");
        grid.AddTo(command);
        command.SetAction(parse =>
        {
            var plan = grid.Plan(parse, CommandLine());
            Console.WriteLine($"Planned {plan.Cells.Count} cells ({plan.Rows.Count} rows x {plan.Seeds.Count} seeds) in {Path.GetFullPath(parse.GetValue(grid.Out)!)}");
            foreach (var c in plan.Cells) Console.WriteLine($"  {c.Index,3}  {c.Row} seed {c.Seed}");
            return 0;
        });
        return command;
    }

    private const string PlanDescription = "The plan folder (from `dsa ablate plan --out`)";

    private static Command CellCommand()
    {
        var plan = new Option<string>("--plan") { Description = PlanDescription, Required = true };
        var index = new Option<int?>("--index") { Description = "The cell to run (0-based); default: SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX" };
        var all = new Option<bool>("--all") { Description = "Run every cell of the plan in order, in this process (one machine; finished cells are skipped)" };
        var command = new Command("cell", "Run one cell of a plan (resumes a partial cell; does nothing for a finished one; refuses a cell another job holds).") { plan, index, all };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(plan)!;
            var p = AblationPlan.Read(dir);
            if (parse.GetValue(all) && parse.GetValue(index) is not null) throw new ArgumentException("Give --index or --all, not both.");
            var indices = parse.GetValue(all) ? Enumerable.Range(0, p.Cells.Count) : new[] { CellIndex.Resolve(parse.GetValue(index), Environment.GetEnvironmentVariable) };
            foreach (int i in indices)
            {
                var cell = p.Cell(i);
                Console.WriteLine($"cell {i}/{p.Cells.Count - 1}: {cell.Row} seed {cell.Seed} -> {Path.Combine(Path.GetFullPath(dir), cell.RunDir)}");
                var before = AblationGrid.Status(dir, cell);
                if (before.State == AblationCellState.Partial) Console.WriteLine($"  resuming from its {before.Detail}");
                else if (before.State == AblationCellState.Finished) Console.WriteLine("  finished before: reading its results");
                var result = AblationGrid.RunCell(dir, i, new InlineProgress<TrainingEvent>(e =>
                {
                    if (e.Kind == TrainingEventKind.Stopped) Console.WriteLine($"  {e.Message}");
                }), Interruption.Token);
                Console.WriteLine($"cell {i}: {cell.Row} seed {cell.Seed}: mAP {result.Map:F2} after {result.Steps} steps");
            }
            return 0;
        });
        return command;
    }

    private static Command CollectCommand()
    {
        var plan = new Option<string>("--plan") { Description = PlanDescription, Required = true };
        var output = new Option<string?>("--out") { Description = "Where to write ablation.csv, cells.csv and ablation.json (default: the plan folder), e.g. results/ablations" };
        var command = new Command("collect", "Summarise the finished cells of a plan; list the missing and failed ones (exit 3 while any is unfinished).") { plan, output };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(plan)!;
            return Report(AblationGrid.Collect(dir), parse.GetValue(output) ?? dir);
        });
        return command;
    }

    private static Command EmitCommand()
    {
        var plan = new Option<string>("--plan") { Description = PlanDescription, Required = true };
        var slurm = new Option<bool>("--slurm") { Description = "Write PLAN/ablate.sbatch (a job array, one task per cell)" };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Write PLAN/ablate-job.yaml (an Indexed Job, one pod per cell)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Cells running at once (Slurm %N, Kubernetes parallelism)", DefaultValueFactory = _ => 4 };
        var cpus = new Option<int>("--cpus") { Description = "CPU cores per cell", DefaultValueFactory = _ => 8 };
        var memory = new Option<string>("--memory") { Description = "Memory per cell (Slurm --mem / Kubernetes limits)", DefaultValueFactory = _ => "32G" };
        var gpus = new Option<int>("--gpus") { Description = "GPUs per cell (needs the cuda-linux build; see environment.md)", DefaultValueFactory = _ => 0 };
        var time = new Option<string>("--time") { Description = "Wall-time limit per cell (Slurm --time)", DefaultValueFactory = _ => "24:00:00" };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition" };
        var image = new Option<string>("--image") { Description = "Container image with dsa on PATH (Kubernetes)", DefaultValueFactory = _ => "dsa-research:latest" };
        var claim = new Option<string>("--volume-claim") { Description = "PersistentVolumeClaim that holds the plan, the data and the warm start (Kubernetes)", DefaultValueFactory = _ => "dsa-shared" };
        var dsa = new Option<string>("--dsa") { Description = "How a job starts the command line", DefaultValueFactory = _ => "dsa" };
        var command = new Command("emit", "Write a ready Slurm job array or Kubernetes Indexed Job for a plan.") { plan, slurm, kubernetes, concurrency, cpus, memory, gpus, time, partition, image, claim, dsa };
        command.SetAction(parse =>
        {
            if (parse.GetValue(slurm) == parse.GetValue(kubernetes)) throw new ArgumentException("dsa ablate emit: give exactly one of --slurm and --kubernetes.");
            var dir = parse.GetValue(plan)!;
            var resources = new AblationJobResources(parse.GetValue(concurrency), parse.GetValue(cpus), parse.GetValue(memory)!, parse.GetValue(gpus),
                parse.GetValue(time)!, parse.GetValue(partition), parse.GetValue(image)!, parse.GetValue(claim)!, parse.GetValue(dsa)!);
            var path = parse.GetValue(slurm) ? AblationJobScripts.WriteSlurm(dir, resources) : AblationJobScripts.WriteKubernetes(dir, resources);
            Console.WriteLine($"Wrote {path}");
            Console.WriteLine(parse.GetValue(slurm) ? $"Submit: sbatch {path}; then dsa ablate collect --plan {dir}" : $"Submit: kubectl apply -f {path}; then dsa ablate collect --plan {dir}");
            return 0;
        });
        return command;
    }
}
