using System.CommandLine;
using System.Globalization;
using Dsa.Notebooks;
using Dsa.Cli;

namespace Dsa.Cli.Commands;

/// <summary>`dsa notebooks run`: executes C# notebooks headlessly (the workbench's papermill).</summary>
internal static class NotebooksCommand
{
    public static Command Create()
    {
        var command = new Command("notebooks", "Work with the C# notebooks.");
        command.Subcommands.Add(CreateRun());
        return command;
    }

    private static Command CreateRun()
    {
        var paths = new Argument<FileInfo[]>("paths") { Description = "Notebooks (.ipynb) to execute, in order.", Arity = ArgumentArity.OneOrMore };
        var parameters = new Option<string[]>("--param") { Description = "name=value injected after the cell tagged 'parameters' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var output = new Option<DirectoryInfo?>("--output") { Description = "Write executed notebooks into this folder (same file names)." };
        var inPlace = new Option<bool>("--in-place") { Description = "Overwrite the input notebooks with the executed ones." };
        var timeout = new Option<double?>("--timeout") { Description = "Limit per cell, in seconds; a cell over it fails the notebook." };
        var run = new Command("run", "Execute notebooks: outputs, execution counts and timings are written into the .ipynb.")
        {
            paths, parameters, output, inPlace, timeout,
        };
        run.Validators.Add(result =>
        {
            bool hasOutput = result.GetValue(output) is not null, overwrite = result.GetValue(inPlace);
            if (hasOutput == overwrite) result.AddError("give exactly one of --output DIR or --in-place.");
        });
        run.SetAction(async (parse, invocationToken) =>
        {
            // SIGTERM / Ctrl-C: the running cell is interrupted (or abandoned), its notebook written with
            // the error and the cells not run marked, and the notebooks after it are not started.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(invocationToken, Interruption.Token);
            var cancellation = linked.Token;
            var options = new NotebookRunOptions(
                (parse.GetValue(parameters) ?? []).Select(NotebookParameters.ParseAssignment).ToList(),
                parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            var outputDir = parse.GetValue(output);
            int failed = 0;
            bool interrupted = false;
            foreach (var file in parse.GetValue(paths)!)
            {
                if (cancellation.IsCancellationRequested)
                {
                    interrupted = true;
                    failed++;
                    Console.WriteLine($"skip {file.Name}  (the run was interrupted)");
                    continue;
                }
                string target = outputDir is null ? file.FullName : Path.Combine(outputDir.FullName, file.Name);
                NotebookRunResult result;
                try
                {
                    result = await NotebookRunner.RunFileAsync(file.FullName, target, options, cancellation: cancellation);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
                {
                    failed++;
                    Console.Error.WriteLine($"FAIL {file.Name}: {e.Message}");
                    continue;
                }
                string time = result.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
                if (result.Succeeded)
                {
                    Console.WriteLine($"ok   {file.Name}  {result.CellsExecuted} cells  {time} s  -> {target}");
                }
                else
                {
                    failed++;
                    interrupted |= result.Interrupted;
                    Console.WriteLine($"{(result.Interrupted ? "STOP" : "FAIL")} {file.Name}  cell {result.FailedCellIndex}  {result.Failure}  {time} s  -> {target}");
                }
            }
            return interrupted ? 130 : failed == 0 ? 0 : 1;
        });
        return run;
    }
}
