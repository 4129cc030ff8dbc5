using System.Text.Json.Nodes;

namespace Dsa.Notebooks;

/// <summary>
/// Builds notebooks from C# with the metadata the product's notebooks carry, so generated notebooks
/// open as C# notebooks in Jupyter (with a .NET C# kernel named ".net-csharp") and in VS Code.
/// The conventions are the ones Polyglot Notebooks wrote, which editors still recognise:
/// kernelspec {name ".net-csharp", display_name ".NET (C#)", language "C#"}, language_info
/// {name "polyglot-notebook"}, notebook metadata polyglot_notebook.kernelInfo with default kernel
/// "csharp", and on each code cell polyglot_notebook.kernelName "csharp".
/// </summary>
public sealed class NotebookTemplate
{
    public const string KernelName = ".net-csharp";
    public const string KernelDisplayName = ".NET (C#)";
    public const string PolyglotKernel = "csharp";

    private readonly Notebook notebook = new() { Metadata = NotebookMetadata() };

    public NotebookTemplate Markdown(string text)
    {
        notebook.Cells.Add(new NotebookCell(NotebookCell.Markdown, text));
        return this;
    }

    public NotebookTemplate Code(string code, params string[] tags)
    {
        var cell = CodeCell(code);
        foreach (var tag in tags) cell.AddTag(tag);
        notebook.Cells.Add(cell);
        return this;
    }

    /// <summary>A code cell holding papermill-style parameter defaults (tag "parameters").</summary>
    public NotebookTemplate Parameters(string code) => Code(code, NotebookParameters.ParametersTag);

    /// <summary>The notebook (cell ids assigned).</summary>
    public Notebook Build()
    {
        notebook.EnsureCellIds();
        return notebook;
    }

    /// <summary>A code cell with the per-cell kernel metadata.</summary>
    public static NotebookCell CodeCell(string code) => new(NotebookCell.Code, code)
    {
        Metadata = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = PolyglotKernel } },
    };

    /// <summary>The notebook-level metadata of a C# notebook.</summary>
    public static JsonObject NotebookMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["name"] = KernelName, ["display_name"] = KernelDisplayName, ["language"] = "C#" },
        ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = PolyglotKernel,
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = PolyglotKernel }),
            },
        },
    };
}
