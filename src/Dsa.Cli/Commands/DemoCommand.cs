using System.CommandLine;
using Dsa.Cli;
using Dsa.Training;
using Dsa.Workflows;
using Spectre.Console;

namespace Dsa.Cli.Commands;

/// <summary>`dsa demo`: synthetic data if absent, DSA vs single-frame from the shipped model (or --from-scratch), evaluation, results.json, report.html.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var minutes = new Option<double?>("--minutes") { Description = "A wall-time budget in minutes instead of fixed steps (numbers then depend on the machine's speed)" };
        var fromScratch = new Option<bool>("--from-scratch") { Description = "Pretrain the single-frame model here (within --minutes, default 10) instead of starting from the shipped model" };
        var data = new Option<string>("--data") { Description = "Dataset folder; the synthetic set is generated there if absent", DefaultValueFactory = _ => "data/synthetic" };
        var run = new Option<string>("--out") { Description = "Run folder (report.html goes here)", DefaultValueFactory = _ => "runs/demo" };
        var seed = new Option<int>("--seed") { Description = "Seed of torch and the data pipeline", DefaultValueFactory = _ => 1 };
        var pretrainSteps = new Option<long?>("--pretrain-steps") { Description = "Fixed step count for stage 1 instead of a share of --minutes" };
        var steps = new Option<long?>("--steps") { Description = $"Fixed step count for DSA and the baseline (default after the shipped start: {TrainPresets.AlignmentStage.MaxSteps})" };
        var pretrained = new Option<string?>("--pretrained") { Description = "A finished single-frame run folder to start from instead of stage 1 (e.g. runs/demo/pretrain of another seed)" };
        var threads = new Option<int>("--threads") { Description = "Torch CPU threads (0 = libtorch default)", DefaultValueFactory = _ => 0 };
        var noGroundTruth = new Option<bool>("--no-ground-truth-flow") { Description = "Skip stage 4, the diagnostic that aligns the neighbours by the annotated motion" };
        var command = new Command("demo", "The paper's story on synthetic videos in about 10 CPU minutes: DSA vs a single-frame baseline, with a report.")
        {
            minutes, fromScratch, data, run, seed, threads, pretrainSteps, steps, pretrained, noGroundTruth,
        };
        command.SetAction(parse => Execute(parse, Interruption.Token));
        return command;

        int Execute(ParseResult parse, CancellationToken cancellation)
        {
            // Default: the shipped single-frame model, then a fixed number of alignment steps, so every machine gets the same numbers.
            bool scratch = parse.GetValue(fromScratch) || parse.GetValue(pretrained) is not null;
            var start = scratch ? null : StartingPoint.Resolve(false, null, null, Presets.DefaultName).WarmStart;
            var options = new DemoOptions
            {
                Minutes = parse.GetValue(minutes) ?? 10, DataRoot = parse.GetValue(data)!, RunRoot = parse.GetValue(run)!,
                Seed = parse.GetValue(seed), Threads = parse.GetValue(threads), StartFrom = start,
                PretrainSteps = parse.GetValue(pretrainSteps), PretrainedRun = parse.GetValue(pretrained), GroundTruthFlow = !parse.GetValue(noGroundTruth),
                AlignSteps = parse.GetValue(steps) ?? (start is not null && parse.GetValue(minutes) is null ? TrainPresets.AlignmentStage.MaxSteps : null),
            };
            var status = new InlineProgress<string>(s => AnsiConsole.MarkupLine($"[bold]{Markup.Escape(s)}[/]"));
            DemoResult result = ProgressDisplay.Run("demo", p => Demo.Run(options, new InlineProgress<(string Stage, TrainingEvent Event)>(e => p.Report(e.Event with
            {
                // The stage names the bar; a stop keeps its reason.
                Message = e.Event.Kind is TrainingEventKind.Stopped or TrainingEventKind.Warning ? $"{e.Stage}: {e.Event.Message}" : e.Stage,
            })), status, cancellation));
            ResultsPrinter.PrintComparison(new[]
            {
                ("DSA (cpu-small)", result.Dsa.Validation),
                ("single-frame baseline", result.Baseline.Validation),
            }.Concat(result.GroundTruthFlow is { } g ? [("annotated-motion alignment (diagnostic)", g.Validation)] : []).ToList());
            status.Report("Writing the report.");
            var report = Dsa.Reports.DemoReport.Write(options, new DatasetFolder(options.DataRoot), result);
            Console.WriteLine($"Results: {result.ResultsPath}");
            Console.WriteLine($"Report: {report}");
            return 0;
        }
    }
}
