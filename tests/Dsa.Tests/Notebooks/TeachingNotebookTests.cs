using System.Text.Json.Nodes;
using Dsa.Notebooks;
using static Dsa.Tests.Notebooks.NotebookTestKit;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// The teaching notebooks 01-04 and 07 run end to end at the smoke budget (papermill-style
/// `Budget=smoke`: a tiny synthetic set in a temp folder, 1-3 training steps) through the same
/// runner the CLI uses, in process. The committed files carry full-budget outputs; this checks that
/// the code in them still runs against the library.
/// </summary>
public sealed class TeachingNotebookTests
{
    private static Notebook RunSmoke(string name)
    {
        var directory = Path.Combine(Infrastructure.Fixtures.RepoRoot, "notebooks");
        var notebook = NotebookJson.Read(Path.Combine(directory, name));
        var options = new NotebookRunOptions([KeyValuePair.Create("Budget", "smoke")], TimeSpan.FromMinutes(2));
        var result = NotebookRunner.RunAsync(notebook, directory, options).GetAwaiter().GetResult();
        Assert.True(result.Succeeded, $"{name}: {result.Failure}");
        var errors = notebook.Cells.Where(c => c.IsCode).SelectMany(c => Outputs(c, "error")).ToList();
        Assert.True(errors.Count == 0, $"{name}: error outputs: {string.Join("; ", errors.Select(e => (string?)e["evalue"]))}");
        return notebook;
    }

    // The pictures a cell made: image/png (or image/jpeg, for large photo-like ones) in its display_data and execute_result outputs.
    private static IEnumerable<string> Pngs(NotebookCell cell) =>
        Outputs(cell, "display_data").Concat(Outputs(cell, "execute_result"))
            .Select(o => o["data"]?["image/png"] ?? o["data"]?["image/jpeg"]).Where(picture => picture is not null).Select(picture => Text(picture));

    [Theory]
    [InlineData("01-getting-started.ipynb")]
    [InlineData("02-data-pipeline.ipynb")]
    [InlineData("04-local-enhancement-block.ipynb")]
    public void RunsAtTheSmokeBudgetWithoutErrors(string name)
    {
        var notebook = RunSmoke(name);
        Assert.Contains(notebook.Cells, c => c.IsCode && Pngs(c).Any());
    }

    [Theory]
    [InlineData("03-global-alignment-block.ipynb")]
    [InlineData("07-offset-fields.ipynb")]
    public void RunsAtTheSmokeBudgetAndDrawsAnOffsetField(string name)
    {
        var notebook = RunSmoke(name);
        var offsetPictures = notebook.Cells.Where(c => c.IsCode && c.Source.Contains("OffsetFieldRenderer.", StringComparison.Ordinal))
            .SelectMany(Pngs).ToList();
        Assert.NotEmpty(offsetPictures);
        foreach (var png in offsetPictures)
            Assert.True(Convert.FromBase64String(png).AsSpan(1, 3).SequenceEqual("PNG"u8) || Convert.FromBase64String(png).AsSpan(0, 2).SequenceEqual(new byte[] { 0xFF, 0xD8 }),
                $"{name}: a picture output is neither PNG nor JPEG");
    }
}
