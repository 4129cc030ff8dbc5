using System.CommandLine;

namespace Dsa.Cli.Commands;

/// <summary>The verbs of `dsa`, in the order `dsa --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return SynthCommand.Create();
        yield return DataCommand.Create();
        yield return ModelCommand.Create();
        yield return BenchCommand.Create();
        yield return EvalCommand.Create();
        yield return PredictCommand.Create();
        yield return TrainCommand.Create();
        yield return AblateCommand.Create();
        yield return DemoCommand.Create();
        yield return NotebooksCommand.Create();
        yield return KernelCommand.Create();
    }
}
