using System.CommandLine;
using Dsa.Nn;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>`dsa model summary --preset NAME [--row ABLATION]`: parameters, multiply-adds and output shape, measured from the built model.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Preset: " + Presets.Names, DefaultValueFactory = _ => Presets.DefaultName };
        var row = new Option<string>("--row") { Description = "Ablation row applied to the preset: " + string.Join(", ", Ablations.Known.Select(r => r.Key)), DefaultValueFactory = _ => "complete" };
        var summary = new Command("summary", "Build the model of a preset and print its size, cost and output shape.") { preset, row };
        summary.SetAction(parse =>
        {
            var config = Ablations.Get(parse.GetValue(row)!).Apply(Presets.Get(parse.GetValue(preset)!).Model);
            using var net = new DsaNet("dsa", config);
            var s = ModelComplexity.Measure(net);
            long backbone = ModelComplexity.CountParameters(net.Backbone);
            Console.WriteLine($"preset            {parse.GetValue(preset)} ({parse.GetValue(row)})");
            Console.WriteLine($"input             [1, {config.FrameCount}, 3, {config.InputHeight}, {config.InputWidth}]  (key frame + supporting offsets [{string.Join(", ", config.SupportOffsets)}])");
            Console.WriteLine($"output            [{string.Join(", ", s.OutputShape)}]");
            Console.WriteLine($"parameters        {s.Parameters:N0}  (backbone {backbone:N0}, alignment + head {s.Parameters - backbone:N0}; trainable {s.TrainableParameters:N0})");
            Console.WriteLine($"multiply-adds     {s.MultiplyAdds / 1e9:F2} G per sample ({s.MultiplyAdds:N0})");
            return 0;
        });
        var command = new Command("model", "Inspect model configurations; export a trained model into models/ with its manifest.");
        command.Subcommands.Add(summary);
        command.Subcommands.Add(Export());
        return command;
    }

    /// <summary>`dsa model export --checkpoint CKPT --data DIR --out models/NAME --train-command "..." --commit SHA`.</summary>
    private static Command Export()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "The finished single-frame run's checkpoint (runs/NAME/checkpoints/last.ckpt)", Required = true };
        var data = new Option<string>("--data") { Description = "The synthetic set it was trained on (its synthetic_config.json is recorded)", DefaultValueFactory = _ => "data/synthetic" };
        var output = new Option<string>("--out") { Description = "The model folder to write", DefaultValueFactory = _ => Dsa.Workflows.ShippedModel.DefaultDirectory };
        var name = new Option<string>("--name") { Description = "The model's name", DefaultValueFactory = _ => "cpu-small-paper-motion" };
        var description = new Option<string>("--description") { Description = "One line on what it is", DefaultValueFactory = _ => "Single-frame cpu-small model (HRNet + head) trained on the paper-motion synthetic set: the demo's and the ablations' stand-in for the paper's COCO-pretrained HRNet." };
        var trainCommand = new Option<string>("--train-command") { Description = "The exact command that trained it (recorded in the manifest)", Required = true };
        var commit = new Option<string>("--commit") { Description = "The commit the training ran at", Required = true };
        var checkVideos = new Option<int>("--check-videos") { Description = "First validation videos the manifest's check AP is computed on", DefaultValueFactory = _ => Dsa.Workflows.ShippedModel.DefaultCheckVideos };
        var command = new Command("export", "Write a trained model as safetensors + manifest.json (command, commit, synthetic config, per-joint AP, sha256).")
        {
            checkpoint, data, output, name, description, trainCommand, commit, checkVideos,
        };
        command.SetAction(parse =>
        {
            var m = Dsa.Workflows.ShippedModel.Export(parse.GetValue(checkpoint)!, new Dsa.Workflows.DatasetFolder(parse.GetValue(data)!), parse.GetValue(output)!,
                parse.GetValue(name)!, parse.GetValue(description)!, Presets.CpuSmall.Name, parse.GetValue(trainCommand)!, parse.GetValue(commit)!, parse.GetValue(checkVideos));
            Console.WriteLine($"Wrote {parse.GetValue(output)}: {m.WeightsBytes / 1e6:F1} MB, {m.Steps} steps, val mAP {m.Validation.MAP:F2}, check mAP {m.Check.MAP:F2} on {m.CheckVideos} videos, sha256 {m.Sha256}");
            return 0;
        });
        return command;
    }
}
