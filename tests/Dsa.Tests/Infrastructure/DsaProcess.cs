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

    /// <summary>Another program (bash, python3) with its output captured, for the files dsa writes for other tools.</summary>
    public static Process StartTool(string file, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Waits for the process (killed and failed past <paramref name="limit"/>), reading both streams meanwhile.</summary>
    public static (int Exit, string Out, string Error) Finish(Process process, TimeSpan limit)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit)) { process.Kill(); Assert.Fail($"{process.StartInfo.FileName} did not finish within {limit}"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
