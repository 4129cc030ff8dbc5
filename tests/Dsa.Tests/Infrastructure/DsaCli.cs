using System.Reflection;

namespace Dsa.Tests.Infrastructure;

/// <summary>Runs the `dsa` command line in-process through its entry point, capturing standard error.</summary>
public static class DsaCli
{
    public static (int Exit, string Error) Run(params string[] args)
    {
        var entry = Assembly.Load("Dsa.Cli").EntryPoint ?? throw new InvalidOperationException("Dsa.Cli has no entry point");
        var previousError = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try
        {
            object? returned = entry.Invoke(null, new object[] { args });
            int exit = returned switch
            {
                Task<int> t => t.GetAwaiter().GetResult(),
                int i => i,
                _ => throw new InvalidOperationException($"unexpected entry point result {returned}"),
            };
            return (exit, error.ToString());
        }
        finally
        {
            Console.SetError(previousError);
        }
    }
}
