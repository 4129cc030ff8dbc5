using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Dsa.Notebooks;

/// <summary>
/// An nbformat 4 notebook in memory. Notebook-level metadata and unknown top-level fields are kept
/// as JSON so reading and writing a notebook never drops what another tool stored there.
/// </summary>
public sealed class Notebook
{
    /// <summary>The format written: 4.5 is the first minor version with mandatory cell ids.</summary>
    public const int FormatMajor = 4;
    public const int FormatMinor = 5;

    public List<NotebookCell> Cells { get; } = new();

    public JsonObject Metadata { get; set; } = new();

    public int NbFormat { get; set; } = FormatMajor;

    public int NbFormatMinor { get; set; } = FormatMinor;

    public JsonObject Extra { get; set; } = new();

    /// <summary>
    /// Gives every cell lacking one a unique id. Ids derive from the cell's content (8 hex chars of
    /// its SHA-256, then a counter on collision), so regenerating a notebook yields the same ids
    /// and diffs stay small.
    /// </summary>
    public void EnsureCellIds()
    {
        var used = new HashSet<string>(Cells.Where(c => c.Id is not null).Select(c => c.Id!), StringComparer.Ordinal);
        foreach (var cell in Cells.Where(c => c.Id is null))
        {
            string stem = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cell.CellType + "\n" + cell.Source)))[..8];
            string id = stem;
            for (int n = 2; !used.Add(id); n++) id = $"{stem}-{n}";
            cell.Id = id;
        }
    }
}
