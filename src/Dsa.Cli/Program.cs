using System.CommandLine;
using Dsa.Cli;
using Dsa.Cli.Commands;

// The `dsa` command line. Each verb lives in Commands/<Verb>Command.cs and only parses, reports
// progress and prints; the work is done by the Dsa library.
var root = new RootCommand("DSA Research workbench: dense symmetric temporal alignment for video pose estimation.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
// Ctrl-C / SIGTERM cancel Interruption.Token, which the long verbs pass to the trainer.
Interruption.Install();
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException e) when (Interruption.Token.IsCancellationRequested)
{
    Console.Error.WriteLine(e.Message);
    return 130;
}
catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
{
    // Bad input or a refused operation: the message names the file, record and field; no stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
