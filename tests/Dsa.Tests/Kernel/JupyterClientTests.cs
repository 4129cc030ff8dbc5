using System.Text.Json.Nodes;
using Dsa.Notebooks;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Kernel;

/// <summary>The kernel driven by real Jupyter clients: jupyter_client's BlockingKernelClient and nbconvert.</summary>
public sealed class JupyterClientTests(JupyterClients jupyter) : IClassFixture<JupyterClients>
{
    [SkippableFact]
    public void ProtocolCheckWithBlockingKernelClientPasses()
    {
        jupyter.RequirePython();
        string script = Path.Combine(AppContext.BaseDirectory, "Kernel", "kernel_protocol_check.py");
        var (exit, output) = jupyter.RunPython(TimeSpan.FromMinutes(3), script, ".net-csharp");
        Assert.True(exit == 0, output);
        Assert.Contains("ALL CHECKS PASSED", output);
    }

    [SkippableFact]
    public void NbconvertExecutesNotebook01WithSmokeParameters()
    {
        jupyter.RequirePython();
        Skip.IfNot(jupyter.HasNbconvert, "nbconvert/nbclient are not importable (apt-get install python3-nbclient jupyter-nbconvert)");
        using var folder = new TempDir();
        // The notebook runs where it lies (its #load "workbench.csx" is relative to it); DSA_BUDGET picks the smoke budget.
        string input = Path.Combine(Fixtures.RepoRoot, "notebooks", "01-getting-started.ipynb");
        var (exit, output) = jupyter.RunPython(TimeSpan.FromMinutes(4), new Dictionary<string, string> { ["DSA_BUDGET"] = "smoke" },
            "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=.net-csharp",
            "--output-dir", folder.Path, "--output", "01-executed.ipynb", input);
        Assert.True(exit == 0, output);

        var executed = NotebookJson.Read(Path.Combine(folder.Path, "01-executed.ipynb"));
        var code = executed.Cells.Where(c => c.IsCode && !string.IsNullOrWhiteSpace(c.Source)).ToList();
        Assert.All(code, c => Assert.NotNull(c.ExecutionCount));
        var outputs = code.SelectMany(c => c.Outputs.OfType<JsonObject>()).ToList();
        Assert.DoesNotContain(outputs, o => (string?)o["output_type"] == "error");
        Assert.Contains(outputs, o => (string?)o["output_type"] == "stream" && NotebookJson.FromLines(o["text"], "test").Contains("synthetic set in"));
        Assert.Contains(outputs, o => (string?)o["output_type"] == "execute_result" && o["data"]?["text/html"] is not null);
        Assert.Contains(outputs, o => o["data"]?["image/png"] is not null || o["data"]?["image/jpeg"] is not null);
        Assert.Equal("C#", (string?)executed.Metadata["language_info"]?["name"]);
    }
}
