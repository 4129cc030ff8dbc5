using System.CommandLine;
using Dsa.Cli;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>`dsa train --preset NAME --data DIR [overrides]`: one training run in runs/NAME, then its validation AP.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var options = new TrainingOptions();
        var run = new Option<string>("--run") { Description = "Run folder", DefaultValueFactory = _ => "runs/train" };
        var row = new Option<string>("--row") { Description = "Ablation row applied to the preset (complete, single-frame, no-gab, ...)", DefaultValueFactory = _ => "complete" };
        var seed = new Option<int>("--seed") { Description = "Seed of torch and the data pipeline", DefaultValueFactory = _ => 1 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --run from its last checkpoint" };
        var maxWeightBytes = new Option<long?>("--max-weight-bytes") { Description = "Refuse --backbone-weights whose tensors would take more bytes than this (default: twice the file plus the backbone's size)" };
        var command = new Command("train", "Train a DSA model (or an ablation of it) and evaluate it on the validation videos.") { run, row, seed, resume, maxWeightBytes };
        options.AddTo(command);
        command.SetAction(parse => Execute(parse, Interruption.Token));
        return command;

        int Execute(ParseResult parse, CancellationToken cancellation)
        {
            var model = Ablations.Get(parse.GetValue(row)!).Apply(options.Model(parse));
            var train = options.Train(parse) with { Seed = parse.GetValue(seed) };
            var spec = new ExperimentSpec(parse.GetValue(run)!, model, train, new DatasetFolder(parse.GetValue(options.Data)!))
            {
                Force = parse.GetValue(options.Force),
                Resume = parse.GetValue(resume),
                BackboneWeights = parse.GetValue(options.BackboneWeights),
                MaxTrainSamples = parse.GetValue(options.MaxSamples),
                Threads = parse.GetValue(options.Threads),
                Device = parse.GetValue(options.Device)!,
                WeightLimits = parse.GetValue(maxWeightBytes) is { } bytes ? new Dsa.IO.TensorReadLimits { MaxTotalBytes = bytes } : null,
            };
            var result = ProgressDisplay.Run("train", p => Experiment.Run(spec, p, cancellation));
            Console.WriteLine(result.Outcome.Message);
            ResultsPrinter.Print($"{parse.GetValue(row)} ({parse.GetValue(options.Preset)})", result.Validation);
            Console.WriteLine($"Run folder: {result.Run.Root}");
            return result.Outcome.Status == TrainingStatus.Interrupted ? 130 : 0;
        }
    }
}
