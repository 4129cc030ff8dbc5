using System.CommandLine;

namespace Dsa.Cli.Commands;

/// <summary>`dsa info`: which TorchSharp / libtorch this build loads (proves torch initialises).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the TorchSharp/libtorch runtime this build loads.");
        command.SetAction(_ =>
        {
            Console.WriteLine(TorchRuntime.Describe());
            return 0;
        });
        return command;
    }
}
