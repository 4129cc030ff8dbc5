using System.CommandLine;
using Dsa.Nn;

namespace Dsa.Cli.Commands;

/// <summary>`dsa model summary --preset NAME [--row ABLATION]`: parameters, multiply-adds and output shape, measured from the built model.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset: " + string.Join(", ", ModelPresets.All.Keys), DefaultValueFactory = _ => "cpu-small" };
        var row = new Option<string>("--row") { Description = "Ablation row applied to the preset: " + string.Join(", ", Ablations.All.Select(r => r.Key)), DefaultValueFactory = _ => "complete" };
        var summary = new Command("summary", "Build the model of a preset and print its size, cost and output shape.") { preset, row };
        summary.SetAction(parse =>
        {
            var config = Ablations.Get(parse.GetValue(row)!).Apply(ModelPresets.Get(parse.GetValue(preset)!));
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
        var command = new Command("model", "Inspect model configurations.");
        command.Subcommands.Add(summary);
        return command;
    }
}
