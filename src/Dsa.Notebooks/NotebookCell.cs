using System.Text.Json.Nodes;

namespace Dsa.Notebooks;

/// <summary>
/// One nbformat 4 cell. Known fields are typed; fields this model does not know (attachments,
/// future nbformat additions) are kept in <see cref="Extra"/> and written back unchanged.
/// </summary>
public sealed class NotebookCell
{
    public const string Code = "code";
    public const string Markdown = "markdown";
    public const string Raw = "raw";

    public NotebookCell(string cellType, string source)
    {
        CellType = cellType;
        Source = source;
    }

    /// <summary>nbformat 4.5 cell id (^[a-zA-Z0-9-_]+$, 1..64 chars); null only before <see cref="Notebook.EnsureCellIds"/>.</summary>
    public string? Id { get; set; }

    public string CellType { get; set; }

    /// <summary>The cell text, lines joined (nbformat may store it as a list of lines).</summary>
    public string Source { get; set; }

    public JsonObject Metadata { get; set; } = new();

    /// <summary>Outputs as nbformat JSON objects (code cells only).</summary>
    public JsonArray Outputs { get; set; } = new();

    /// <summary>Jupyter's execution counter for the run that produced <see cref="Outputs"/> (code cells only).</summary>
    public int? ExecutionCount { get; set; }

    public JsonObject Extra { get; set; } = new();

    public bool IsCode => CellType == Code;

    /// <summary>The cell's metadata.tags (papermill's "parameters", "raises-exception", ...).</summary>
    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? "").ToList() : [];

    public bool HasTag(string tag) => Tags.Contains(tag);

    public void AddTag(string tag)
    {
        if (HasTag(tag)) return;
        if (Metadata["tags"] is not JsonArray tags) Metadata["tags"] = tags = new JsonArray();
        tags.Add(tag);
    }
}
