using System.CommandLine;
using Dsa.Cli.Commands;

// The `dsa` command line. Each verb lives in Commands/<Verb>Command.cs and only parses, reports
// progress and prints; the work is done by the Dsa library.
var root = new RootCommand("DSA Research workbench: dense symmetric temporal alignment for video pose estimation.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
