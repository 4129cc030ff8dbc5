using System.CommandLine;
using Dsa.Cli;
using Dsa.Cli.Commands;

// The `dsa` command line. Each verb lives in Commands/<Verb>Command.cs and only parses, reports
// progress and prints; the work is done by the Dsa library.
var root = new RootCommand("DSA Research workbench: dense symmetric temporal alignment for video pose estimation.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
root.Options.Add(FailureReport.Verbose);
// One workflow on one thread: oneDNN may speed up the forwards that are never differentiated (see its remarks). Only
// when this is the process's program: the tests run this entry point inside a host whose other tests train in parallel.
if (System.Reflection.Assembly.GetEntryAssembly() == typeof(CommandCatalog).Assembly)
    Dsa.OneDnnConvolutions.GradientFreeForwardsAllowed = true;
// Ctrl-C / SIGTERM cancel Interruption.Token, which the long verbs pass to the trainer.
Interruption.Install();
// Redirected to a file or a CI log, Spectre assumes 80 columns and wraps every table cell (a method name over four lines);
// a wide fixed width keeps each table row on one line.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
var parse = root.Parse(args);
try
{
    int exit = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
    // Usage errors (unknown option, missing value) were printed with the help: exit code 2, as for bad usage elsewhere.
    return parse.Errors.Count > 0 ? 2 : exit;
}
catch (OperationCanceledException e) when (Interruption.Token.IsCancellationRequested)
{
    Console.Error.WriteLine(e.Message);
    if (FailureReport.Advice(e) is { } advice) Console.Error.WriteLine(advice[..1].ToUpperInvariant() + advice[1..] + ".");
    return 130;
}
catch (Exception e)
{
    // Every verb ends here on failure: one message (file, entry, field), no stack trace without --verbose.
    return FailureReport.Print(e, parse.GetValue(FailureReport.Verbose));
}
