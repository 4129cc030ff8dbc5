using System.CommandLine;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Cli.Commands;

/// <summary>
/// Where `dsa ablate` and `dsa demo` start: by default the shipped single-frame model (models/cpu-small-paper-motion,
/// our stand-in for the paper's COCO-pretrained HRNet), else what the command line names, else (--from-scratch) random weights.
/// </summary>
internal sealed record StartingPoint(string? WarmStart, string? InitBackbone, string? Shipped)
{
    public static StartingPoint Resolve(bool fromScratch, string? warmStart, string? initBackbone, string preset)
    {
        if (fromScratch && (warmStart ?? initBackbone) is not null)
            throw new ArgumentException("--from-scratch starts from random weights; it cannot be combined with --warm-start or --init-backbone.");
        if (fromScratch || warmStart is not null || initBackbone is not null) return new StartingPoint(warmStart, initBackbone, null);
        var shipped = Presets.Get(preset).ShippedModelDirectory
            ?? throw new ArgumentException($"No model is shipped for --preset {preset} (only for {string.Join(", ", Presets.All.Values.Where(p => p.ShippedModelDirectory is not null).Select(p => p.Name))}); pass --warm-start, --init-backbone or --from-scratch.");
        var dir = ShippedModel.Locate(shipped)
            ?? throw new FileNotFoundException($"The shipped model ({shipped}/{ShippedModel.WeightsFile}) was not found from {Environment.CurrentDirectory} " +
                "or the dsa build; run from the repository, or pass --warm-start FILE or --from-scratch.");
        ShippedModel.Verify(dir);
        return new StartingPoint(ShippedModel.WeightsPath(dir), null, dir);
    }

    /// <summary>
    /// The training budget after a shipped start (<see cref="TrainPresets.AlignmentStage"/>), with what the command line set.
    /// </summary>
    public static TrainConfig AlignmentStage(ParseResult parse, TrainingOptions options)
    {
        var given = options.Train(parse);
        var stage = TrainPresets.AlignmentStage;
        bool Set(Option o) => parse.GetResult(o) is { Implicit: false };
        return given with
        {
            MaxSteps = Set(options.Steps) ? given.MaxSteps : Set(options.Minutes) ? null : stage.MaxSteps,
            Epochs = Set(options.Epochs) ? given.Epochs : stage.Epochs,
            DecayEvery = Set(options.DecayEvery) ? given.DecayEvery : stage.DecayEvery,
            ValidateEvery = Set(options.ValidateEvery) ? given.ValidateEvery : stage.ValidateEvery,
        };
    }
}
