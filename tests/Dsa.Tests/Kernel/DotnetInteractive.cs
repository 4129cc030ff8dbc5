using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Kernel;

/// <summary>
/// .NET Interactive's Jupyter kernel (the engine of VS Code's Polyglot Notebooks), version <see cref="Version"/>, as a
/// dotnet tool: from DSA_DOTNET_INTERACTIVE (the tool's folder), else .tools/dotnet-interactive in the repository
/// (where .ci/run installs it). Its kernelspec is written with `dotnet-interactive jupyter install --path` into a
/// temporary folder that only these tests' child processes see, so no user kernelspec is touched.
/// </summary>
public sealed class DotnetInteractive : IDisposable
{
    public const string Version = "1.0.712001";

    private readonly TempDir home = new();

    public DotnetInteractive()
    {
        string folder = System.Environment.GetEnvironmentVariable("DSA_DOTNET_INTERACTIVE") is { Length: > 0 } given
            ? given : Path.Combine(Fixtures.RepoRoot, ".tools", "dotnet-interactive");
        string tool = Path.Combine(folder, "dotnet-interactive");
        if (!File.Exists(tool)) { Missing = $"no .NET Interactive tool at {tool} (.ci/run installs it: dotnet tool install --tool-path .tools/dotnet-interactive Microsoft.dotnet-interactive --version {Version})"; return; }
        ToolFolder = folder;
        JupyterPath = Path.Combine(home.Path, "jupyter");
        Directory.CreateDirectory(Path.Combine(JupyterPath, "kernels")); // the installer wants the folder to exist
        var (exit, output, error) = DsaProcess.Finish(DsaProcess.StartTool(tool, Environment(), "jupyter", "install", "--path", Path.Combine(JupyterPath, "kernels")), TimeSpan.FromMinutes(2));
        if (exit != 0 || !File.Exists(Path.Combine(JupyterPath, "kernels", ".net-csharp", "kernel.json")))
            Missing = $"dotnet-interactive jupyter install failed ({exit}): {error}{output}";
    }

    /// <summary>Why the kernel cannot be used; null when it can.</summary>
    public string? Missing { get; }

    public string? ToolFolder { get; }

    /// <summary>The Jupyter data folder holding .NET Interactive's kernelspecs (kernels/.net-csharp).</summary>
    public string? JupyterPath { get; }

    /// <summary>
    /// What a client needs to start the kernel: its kernelspec on JUPYTER_PATH and the tool on PATH (kernel.json
    /// starts `dotnet interactive jupyter ...`, which the dotnet host finds as dotnet-interactive on PATH).
    /// </summary>
    public Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = ToolFolder + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        if (JupyterPath is not null) environment["JUPYTER_PATH"] = JupyterPath;
        return environment;
    }

    public void Dispose() => home.Dispose();
}
