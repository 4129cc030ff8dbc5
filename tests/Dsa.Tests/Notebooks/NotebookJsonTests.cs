using System.Text.Json.Nodes;
using Dsa.Notebooks;

namespace Dsa.Tests.Notebooks;

public sealed class NotebookJsonTests
{
    [Fact]
    public void LegacyNotebookRoundTripsUnknownMetadataAndGainsIds()
    {
        var notebook = NotebookJson.Read(NotebookTestKit.SamplePath("legacy-4.4.ipynb"));
        Assert.All(notebook.Cells, c => Assert.Null(c.Id));
        var written = JsonNode.Parse(NotebookJson.Serialize(notebook))!;
        Assert.Equal(5, (int)written["nbformat_minor"]!);
        Assert.Equal("y", (string?)written["metadata"]!["unknown_tool"]!["nested"]![2]!["x"]);
        Assert.True((bool)written["cells"]![0]!["metadata"]!["custom"]!["keep"]!);
        var ids = written["cells"]!.AsArray().Select(c => (string?)c!["id"]).ToList();
        Assert.All(ids, id => Assert.Matches("^[a-zA-Z0-9-_]{1,64}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal("var greeting = \"hello\";\n", (string?)written["cells"]![1]!["source"]![1]);
    }

    [Fact]
    public void CellIdsAreStableForTheSameContent()
    {
        var first = NotebookJson.Read(NotebookTestKit.SamplePath("legacy-4.4.ipynb"));
        var second = NotebookJson.Read(NotebookTestKit.SamplePath("legacy-4.4.ipynb"));
        first.EnsureCellIds();
        second.EnsureCellIds();
        Assert.Equal(first.Cells.Select(c => c.Id), second.Cells.Select(c => c.Id));
    }

    [Fact]
    public void MalformedNotebookNamesTheFileAndField()
    {
        var e = Assert.Throws<InvalidDataException>(() => NotebookJson.Parse("{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}", "broken.ipynb"));
        Assert.Contains("broken.ipynb", e.Message);
        Assert.Contains("cells", e.Message);
        var v3 = Assert.Throws<InvalidDataException>(() => NotebookJson.Parse("{\"nbformat\": 3, \"nbformat_minor\": 0}", "old.ipynb"));
        Assert.Contains("nbformat", v3.Message);
    }

    [Fact]
    public void LegacyNotebookRunsWithPolyglotDirectives()
    {
        var notebook = NotebookJson.Read(NotebookTestKit.SamplePath("legacy-4.4.ipynb"));
        var (_, result) = NotebookTestKit.Run(notebook);
        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal([1, 2], notebook.Cells.Where(c => c.IsCode).Select(c => c.ExecutionCount ?? 0));
        Assert.Equal("hello\n", NotebookTestKit.StreamText(notebook.Cells[2], "stdout"));
        Assert.DoesNotContain("stale", notebook.Cells[1].Outputs.ToJsonString());
    }

    [Fact]
    public void TemplateWritesTheCSharpKernelMetadata()
    {
        var notebook = new NotebookTemplate().Markdown("# Title").Code("1 + 1").Build();
        var kernelspec = notebook.Metadata["kernelspec"]!;
        Assert.Equal(".net-csharp", (string?)kernelspec["name"]);
        Assert.Equal(".NET (C#)", (string?)kernelspec["display_name"]);
        Assert.Equal("C#", (string?)kernelspec["language"]);
        Assert.Equal("polyglot-notebook", (string?)notebook.Metadata["language_info"]!["name"]);
        Assert.Equal("csharp", (string?)notebook.Cells[1].Metadata["polyglot_notebook"]!["kernelName"]);
    }
}
