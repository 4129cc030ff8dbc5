using System.Text.Json.Nodes;
using Dsa.Notebooks;
using static Dsa.Tests.Notebooks.NotebookTestKit;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// The committed notebooks 05 (training), 06 (evaluation), 08 (ablations) and 09 (real data) run end to end at the
/// smoke budget (CI's <c>--param Budget=smoke</c>: tiny synthetic data in a temporary folder, one or two steps), in
/// process, from the repository's notebooks folder. Sections needing the fixtures print a note when they are absent.
/// </summary>
public sealed class ExperimentNotebooksTests
{
    private static (Notebook Notebook, NotebookRunResult Result) RunSmoke(string fileName)
    {
        var directory = Path.Combine(Infrastructure.Fixtures.RepoRoot, "notebooks");
        var notebook = NotebookJson.Read(Path.Combine(directory, fileName));
        var result = NotebookRunner.RunAsync(notebook, directory, new NotebookRunOptions([new("Budget", "smoke")], TimeSpan.FromMinutes(3)))
            .GetAwaiter().GetResult();
        var errors = notebook.Cells.Where(c => c.IsCode).SelectMany(c => Outputs(c, "error")).Select(e => $"{e["ename"]}: {e["evalue"]}").ToList();
        Assert.True(result.Succeeded, $"{fileName}: {result.Failure}");
        Assert.Empty(errors);
        return (notebook, result);
    }

    private static IEnumerable<string> Html(Notebook notebook) =>
        notebook.Cells.Where(c => c.IsCode)
            .SelectMany(c => Outputs(c, "display_data").Concat(Outputs(c, "execute_result")))
            .Select(o => o["data"]?["text/html"]).Where(h => h is not null).Select(Text);

    [Fact]
    public void TrainingNotebookRunsAtSmokeBudget()
    {
        var (notebook, _) = RunSmoke("05-training.ipynb");
        Assert.Contains(Html(notebook), h => h.Contains("Plotly.newPlot"));
    }

    [Fact]
    public void EvaluationNotebookShowsThePaperLayoutTable()
    {
        var (notebook, _) = RunSmoke("06-evaluation.ipynb");
        Assert.Contains(Html(notebook), h => new[] { "Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "mAP" }.All(c => h.Contains($"<th>{c}</th>")));
        // The worst frames drawn over the images.
        Assert.Contains(notebook.Cells.Where(c => c.IsCode).SelectMany(c => Outputs(c, "execute_result")), o => o["data"]?["image/png"] is not null);
    }

    [Fact]
    public void AblationNotebookDrawsTheAblationChart()
    {
        var (notebook, _) = RunSmoke("08-ablations.ipynb");
        Assert.Contains(Html(notebook), h => h.Contains("Plotly.newPlot") && h.Contains("single-frame"));
        // The committed results (results/ablations/cells.csv), every row against complete DSA.
        Assert.Contains(Html(notebook), h => h.Contains("Plotly.newPlot") && h.Contains("row − complete DSA") && h.Contains("no-alignment"));
    }

    [Fact]
    public void RealDataNotebookRunsAtSmokeBudget()
    {
        var (notebook, _) = RunSmoke("09-real-data.ipynb");
        Assert.Contains(Html(notebook), h => h.Contains("<th>MACs per sample</th>"));
    }
}
