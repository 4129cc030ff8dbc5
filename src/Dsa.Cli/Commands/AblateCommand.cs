using Dsa.Cli;
using System.CommandLine;
using Dsa.Nn;
using Dsa.Training;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>`dsa ablate --preset cpu-small --rows all --seeds 3`: the paper's Tables 4 and 5 re-run, mean and std over seeds.</summary>
internal static class AblateCommand
{
    public static Command Create()
    {
        var options = new TrainingOptions();
        var rows = new Option<string>("--rows") { Description = "all, or a comma list of: " + string.Join(", ", Ablations.All.Select(r => r.Key)), DefaultValueFactory = _ => "all" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per row (1, 2, ... N)", DefaultValueFactory = _ => 3 };
        var root = new Option<string>("--out") { Description = "Folder of the grid (one run folder per row and seed)", DefaultValueFactory = _ => "runs/ablate" };
        var warmStart = new Option<string?>("--warm-start") { Description = "A single-frame checkpoint (e.g. runs/demo/pretrain/checkpoints/last.ckpt) whose backbone and head start every row" };
        var initBackbone = new Option<string?>("--init-backbone") { Description = "A checkpoint whose backbone (only) starts every row" };
        var command = new Command("ablate", "Train and evaluate each ablation row with several seeds; summarise mean and std per column.") { rows, seeds, root, warmStart, initBackbone };
        options.AddTo(command);
        command.SetAction(parse => Execute(parse, Interruption.Token));
        return command;

        int Execute(ParseResult parse, CancellationToken cancellation)
        {
            var selected = Ablations.Parse(parse.GetValue(rows)!);
            var seedList = Enumerable.Range(1, parse.GetValue(seeds)).ToList();
            var outDir = parse.GetValue(root)!;
            var cells = AblationRunner.Run(selected, seedList, options.Model(parse), options.Train(parse), new DatasetFolder(parse.GetValue(options.Data)!), outDir,
                parse.GetValue(options.Force), parse.GetValue(options.MaxSamples),
                new InlineProgress<(string Row, int Seed, TrainingEvent Event)>(p =>
                {
                    if (p.Event.Kind is "validation" or "stopped")
                        Console.WriteLine($"{p.Row} seed {p.Seed}: epoch {p.Event.Epoch} {(p.Event.ValidationMap is { } m ? $"val mAP {m:F2}" : p.Event.Message)}");
                }), cancellation, parse.GetValue(initBackbone), parse.GetValue(warmStart));
            var summary = AblationRunner.Summarise(cells, selected);
            AblationRunner.Save(outDir, cells, summary);
            var table = new Table().AddColumn("Row").AddColumn("Paper").AddColumn("Seeds");
            foreach (var c in AblationRunner.MetricColumns) table.AddColumn(new TableColumn(c).RightAligned());
            foreach (var s in summary)
                table.AddRow(new[] { s.Row, s.PaperMap?.ToString("F1") ?? "-", s.Seeds.ToString() }
                    .Concat(AblationRunner.MetricColumns.Select(c => $"{s.Mean[c]:F1} ± {s.Std[c]:F1}")).ToArray());
            AnsiConsole.Write(table);
            Console.WriteLine($"Summary: {Path.GetFullPath(Path.Combine(outDir, "ablation.csv"))}");
            return 0;
        }
    }
}
