using System.Diagnostics;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Kernel;

/// <summary>
/// Debian's Jupyter clients (python3-jupyter-client, python3-nbclient, jupyter-nbconvert; .ci/run
/// installs them), found by the python3 that can import them (a pyenv python3 on PATH usually
/// cannot, so /usr/bin/python3 is tried first), and a kernelspec installed with `dsa kernel install`
/// into a temporary prefix that only these tests' child processes see (JUPYTER_PATH).
/// </summary>
public sealed class JupyterClients : IDisposable
{
    private readonly TempDir home = new();

    public JupyterClients()
    {
        Python = new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p => Exits0(p, "-c", "import jupyter_client"));
        if (Python is null) return;
        HasNbconvert = Exits0(Python, "-c", "import nbconvert, nbclient");
        Prefix = Path.Combine(home.Path, "prefix");
        var (exit, error) = DsaCli.Run("kernel", "install", "--prefix", Prefix);
        if (exit != 0) throw new InvalidOperationException($"dsa kernel install failed: {error}");
    }

    /// <summary>A python3 that imports jupyter_client; null when there is none.</summary>
    public string? Python { get; }

    public bool HasNbconvert { get; }

    public string? Prefix { get; }

    public void RequirePython() =>
        Skip.If(Python is null, "no python3 with jupyter_client (apt-get install python3-jupyter-client python3-nbclient jupyter-nbconvert)");

    /// <summary>Runs <paramref name="arguments"/> with the python3 found, the kernelspec on JUPYTER_PATH and a private runtime folder.</summary>
    public (int Exit, string Output) RunPython(TimeSpan limit, params string[] arguments) => RunPython(limit, null, arguments);

    /// <summary>
    /// The same with more environment variables (DSA_BUDGET, or JUPYTER_PATH and PATH of another kernel, which
    /// replace the ones set here).
    /// </summary>
    public (int Exit, string Output) RunPython(TimeSpan limit, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python!) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = home.Path };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["JUPYTER_PATH"] = Path.Combine(Prefix!, "share", "jupyter");
        start.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(home.Path, "runtime");
        start.Environment["JUPYTER_CONFIG_DIR"] = Path.Combine(home.Path, "config");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {limit}\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + "\n" + stderr.Result);
    }

    private static bool Exits0(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            process.WaitForExit(TimeSpan.FromSeconds(30));
            return process.HasExited && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }

    public void Dispose() => home.Dispose();
}
