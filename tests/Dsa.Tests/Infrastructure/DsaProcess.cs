using System.Diagnostics;

namespace Dsa.Tests.Infrastructure;

/// <summary>
/// Starts the built `dsa` command line as a child process (the same dotnet host as the test run), for tests that
/// signal it, run several at once, or need a process of its own (a cluster job, a cell lock's owner).
/// </summary>
public static class DsaProcess
{
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string Assembly => Path.Combine(AppContext.BaseDirectory, "Dsa.Cli.dll");

    /// <summary>How a shell script or a job file starts this build of dsa.</summary>
    public static string Launcher => $"{Host} {Assembly}";

    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Host)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);
}
