using Dsa.Notebooks;
using Dsa.Tests.Infrastructure;
using static Dsa.Tests.Notebooks.NotebookTestKit;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// The cells that load the workbench under .NET Interactive (#r of the build's assemblies, #load of workbench.csx)
/// run unchanged in our runner, which resolves them to the assemblies it carries, whether or not that build exists.
/// </summary>
public sealed class FrontEndNeutralLoadingTests
{
    [Fact]
    public void ReferenceToACarriedAssemblyAnywhereResolvesToTheRunnersOwn()
    {
        var (notebook, result) = Run("#r \"/no/such/build/Dsa.dll\"\n#r \"../nowhere/TorchSharp.dll\"\ntypeof(Dsa.IO.AtomicFile).Assembly.Location == \"\" ? \"no location\" : System.IO.Path.GetFileName(typeof(Dsa.IO.AtomicFile).Assembly.Location)");
        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("Dsa.dll", Text(Assert.Single(Outputs(notebook.Cells[0], "execute_result"))["data"]!["text/plain"]).Trim('"'));
    }

    [Fact]
    public void ReferenceToAnAssemblyTheRunnerDoesNotCarryIsStillAnError()
    {
        var (notebook, result) = Run("#r \"/no/such/build/Something.Else.dll\"\n1");
        Assert.False(result.Succeeded);
        var error = Assert.Single(Outputs(notebook.Cells[0], "error"));
        Assert.Contains("Something.Else.dll", Text(error["evalue"]) + string.Join("", error["traceback"]!.AsArray().Select(t => (string?)t)));
    }

    [Fact]
    public void TheCommittedWorkbenchScriptLoadsAndItsNamespacesWork()
    {
        // The first cells of every notebook: the not-built check (notebooks/check-build.csx: it passes here, where Dsa
        // is loaded, whether or not the build exists), then #load + usings (notebooks/workbench.csx).
        var template = new NotebookTemplate()
            .Code("#load \"check-build.csx\"   // says which command to run when the library is not built\n1")
            .Code("#load \"workbench.csx\"\nusing Dsa.Interactive;\nCellCancellation.Current.CanBeCanceled");
        var (notebook, result) = Run(template.Build(), directory: Path.Combine(Fixtures.RepoRoot, "notebooks"));
        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("1", Text(Assert.Single(Outputs(notebook.Cells[0], "execute_result"))["data"]!["text/plain"]));
        Assert.Equal("True", Text(Assert.Single(Outputs(notebook.Cells[1], "execute_result"))["data"]!["text/plain"]));
    }
}
