using System.Text.Json.Nodes;
using Dsa.Notebooks;

namespace Dsa.Tests.Notebooks;

/// <summary>Runs notebooks built in tests and reads their recorded outputs.</summary>
internal static class NotebookTestKit
{
    public static string SamplePath(string name) =>
        Path.Combine(Infrastructure.Fixtures.RepoRoot, "tests", "Dsa.Tests", "Notebooks", "Samples", name);

    public static (Notebook Notebook, NotebookRunResult Result) Run(Notebook notebook, NotebookRunOptions? options = null, string? directory = null)
    {
        var result = NotebookRunner.RunAsync(notebook, directory ?? Path.GetTempPath(), options ?? NotebookRunOptions.Default)
            .GetAwaiter().GetResult();
        return (notebook, result);
    }

    public static (Notebook Notebook, NotebookRunResult Result) Run(params string[] cells)
    {
        var template = new NotebookTemplate();
        foreach (var cell in cells) template.Code(cell);
        return Run(template.Build());
    }

    public static IEnumerable<JsonObject> Outputs(NotebookCell cell, string type) =>
        cell.Outputs.OfType<JsonObject>().Where(o => (string?)o["output_type"] == type);

    public static string Text(JsonNode? multiline) => NotebookJson.FromLines(multiline, "test");

    public static string StreamText(NotebookCell cell, string name) =>
        string.Concat(Outputs(cell, "stream").Where(o => (string?)o["name"] == name).Select(o => Text(o["text"])));
}
