using System.Text.Json.Nodes;
using Dsa.Notebooks;
using Dsa.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dsa.Tests.Kernel;

/// <summary>
/// Every committed notebook, unchanged, executed by Jupyter's nbconvert with .NET Interactive's own C# kernel at the
/// smoke budget (DSA_BUDGET=smoke): no error output, every code cell executed, and the pictures counted. The library
/// comes from the command line's build (notebooks/workbench.csx, artifacts/notebooks), as a user's would.
/// </summary>
public sealed class DotnetInteractiveNotebookTests(JupyterClients jupyter, DotnetInteractive dni, ITestOutputHelper log)
    : IClassFixture<JupyterClients>, IClassFixture<DotnetInteractive>
{
    public static IEnumerable<object[]> Notebooks() =>
        Directory.GetFiles(Path.Combine(Fixtures.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

    [SkippableTheory]
    [MemberData(nameof(Notebooks))]
    public void RunsUnderDotnetInteractiveAtTheSmokeBudgetWithoutErrors(string name)
    {
        jupyter.RequirePython();
        Skip.IfNot(jupyter.HasNbconvert, "nbconvert/nbclient are not importable (apt-get install python3-nbclient jupyter-nbconvert)");
        Skip.If(dni.Missing is not null, dni.Missing);
        using var folder = new TempDir();
        var environment = dni.Environment();
        environment["DSA_BUDGET"] = "smoke";
        var (exit, text) = jupyter.RunPython(TimeSpan.FromMinutes(8), environment,
            "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=400", "--ExecutePreprocessor.kernel_name=.net-csharp",
            "--output-dir", folder.Path, "--output", name, Path.Combine(Fixtures.RepoRoot, "notebooks", name));
        Assert.True(exit == 0, text);

        var executed = NotebookJson.Read(Path.Combine(folder.Path, name));
        var code = executed.Cells.Where(c => c.IsCode && !string.IsNullOrWhiteSpace(c.Source)).ToList();
        Assert.All(code, c => Assert.NotNull(c.ExecutionCount));
        var outputs = code.SelectMany(c => c.Outputs.OfType<JsonObject>()).ToList();
        var errors = outputs.Where(o => (string?)o["output_type"] == "error").Select(o => $"{o["ename"]}: {o["evalue"]}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        int images = outputs.Count(o => o["data"]?["image/png"] is not null);
        log.WriteLine($"{name}: {code.Count} code cells, {outputs.Count} outputs, {images} with image/png");
        if (name.StartsWith("01-", StringComparison.Ordinal) || name.StartsWith("03-", StringComparison.Ordinal))
            Assert.True(images > 0, $"{name}: no image/png output (the SkiaSharp formatter did not reach .NET Interactive)");
    }

    [SkippableFact]
    public void TheBuildCheckNamesTheCommandWhereTheLibraryIsNotBuilt()
    {
        // notebooks/check-build.csx in a folder with no ../artifacts/notebooks: .NET Interactive has not loaded Dsa either.
        jupyter.RequirePython();
        Skip.IfNot(jupyter.HasNbconvert, "nbconvert/nbclient are not importable (apt-get install python3-nbclient jupyter-nbconvert)");
        Skip.If(dni.Missing is not null, dni.Missing);
        using var folder = new TempDir();
        string notebooks = Directory.CreateDirectory(Path.Combine(folder.Path, "notebooks")).FullName;
        File.Copy(Path.Combine(Fixtures.RepoRoot, "notebooks", "check-build.csx"), Path.Combine(notebooks, "check-build.csx"));
        NotebookJson.Write(new NotebookTemplate().Code("#load \"check-build.csx\"").Build(), Path.Combine(notebooks, "check.ipynb"));
        var (exit, text) = jupyter.RunPython(TimeSpan.FromMinutes(4), dni.Environment(),
            "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=200", "--ExecutePreprocessor.kernel_name=.net-csharp",
            "--output-dir", folder.Path, "--output", "out.ipynb", Path.Combine(notebooks, "check.ipynb"));
        Assert.True(exit != 0, text);
        Assert.Contains("The DSA workbench is not built: run `dotnet build src/Dsa.Cli`", text);
    }
}
