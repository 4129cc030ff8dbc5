using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dsa.IO;

namespace Dsa.Notebooks;

/// <summary>
/// Reads and writes .ipynb files (nbformat 4). Writing always produces nbformat 4.5 (cell ids
/// everywhere) in Jupyter's own layout: keys sorted, one-space indent, multi-line strings as lists
/// of lines, non-ASCII kept, trailing newline. Same bytes as Jupyter means clean diffs.
/// </summary>
public static partial class NotebookJson
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Notebook Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new IOException($"{path}: cannot read notebook: {e.Message}", e); }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON; <paramref name="origin"/> names the source in error messages.</summary>
    public static Notebook Parse(string json, string origin)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{origin}: a notebook must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not valid JSON: {e.Message}", e);
        }
        int major = RequireInt(root, "nbformat", origin);
        if (major != Notebook.FormatMajor)
            throw new InvalidDataException($"{origin}: field nbformat is {major}; only nbformat 4 notebooks are supported.");
        var notebook = new Notebook
        {
            NbFormat = major,
            NbFormatMinor = RequireInt(root, "nbformat_minor", origin),
            Metadata = root["metadata"] as JsonObject ?? new JsonObject(),
        };
        if (root["cells"] is not JsonArray cells)
            throw new InvalidDataException($"{origin}: field cells is missing or not an array.");
        for (int i = 0; i < cells.Count; i++)
            notebook.Cells.Add(ReadCell(cells[i] as JsonObject ?? throw new InvalidDataException($"{origin}: cells[{i}] is not an object."), $"{origin}: cells[{i}]"));
        foreach (var (key, value) in root)
            if (key is not ("nbformat" or "nbformat_minor" or "metadata" or "cells"))
                notebook.Extra[key] = value?.DeepClone();
        notebook.Metadata = (JsonObject)notebook.Metadata.DeepClone();
        return notebook;
    }

    public static void Write(Notebook notebook, string path) => AtomicFile.WriteAllText(path, Serialize(notebook));

    /// <summary>The notebook as nbformat 4.5 JSON text (ids are generated for cells lacking one).</summary>
    public static string Serialize(Notebook notebook)
    {
        notebook.EnsureCellIds();
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(notebook.Cells.Select(c => (JsonNode)WriteCell(c)).ToArray()),
            ["metadata"] = notebook.Metadata.DeepClone(),
            ["nbformat"] = Notebook.FormatMajor,
            ["nbformat_minor"] = Math.Max(notebook.NbFormatMinor, Notebook.FormatMinor),
        };
        foreach (var (key, value) in notebook.Extra) root[key] = value?.DeepClone();
        return Sorted(root)!.ToJsonString(WriteOptions) + "\n";
    }

    /// <summary>nbformat "multiline_string": a list of lines, each but the last keeping its "\n".</summary>
    public static JsonArray ToLines(string text) =>
        new(LineSplit().Split(text).Where(line => line.Length > 0).Select(line => (JsonNode)JsonValue.Create(line)).ToArray());

    /// <summary>Joins a multiline_string (a string or a list of strings) back into one string.</summary>
    public static string FromLines(JsonNode? node, string origin) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? throw new InvalidDataException($"{origin}: null line in a multi-line string."))),
        JsonValue value when value.TryGetValue(out string? s) => s,
        _ => throw new InvalidDataException($"{origin}: expected a string or a list of strings, found {node.GetValueKind()}."),
    };

    // Splits after each "\n", keeping it (the empty pieces between are dropped by ToLines).
    [GeneratedRegex("(?<=\n)")]
    private static partial Regex LineSplit();

    private static NotebookCell ReadCell(JsonObject json, string origin)
    {
        string type = json["cell_type"] is JsonValue t && t.TryGetValue(out string? name) ? name : throw new InvalidDataException($"{origin}: field cell_type is missing or not a string.");
        // nbformat 4 has exactly these three; a cell of another type is not skipped silently.
        if (type is not (NotebookCell.Code or NotebookCell.Markdown or NotebookCell.Raw))
            throw new InvalidDataException($"{origin}: field cell_type is '{type}'; nbformat 4 cells are code, markdown or raw.");
        var cell = new NotebookCell(type, FromLines(json["source"], $"{origin}.source"))
        {
            Id = json["id"]?.GetValue<string>(),
            Metadata = (JsonObject?)(json["metadata"] as JsonObject)?.DeepClone() ?? new JsonObject(),
        };
        if (type == NotebookCell.Code)
        {
            cell.Outputs = (JsonArray?)(json["outputs"] as JsonArray)?.DeepClone() ?? new JsonArray();
            cell.ExecutionCount = json["execution_count"] is JsonValue count ? count.GetValue<int>() : null;
        }
        foreach (var (key, value) in json)
            if (key is not ("cell_type" or "source" or "id" or "metadata" or "outputs" or "execution_count"))
                cell.Extra[key] = value?.DeepClone();
        return cell;
    }

    private static JsonObject WriteCell(NotebookCell cell)
    {
        var json = new JsonObject
        {
            ["cell_type"] = cell.CellType,
            ["id"] = cell.Id,
            ["metadata"] = cell.Metadata.DeepClone(),
            ["source"] = ToLines(cell.Source),
        };
        if (cell.IsCode)
        {
            json["execution_count"] = cell.ExecutionCount;
            json["outputs"] = cell.Outputs.DeepClone();
        }
        foreach (var (key, value) in cell.Extra) json[key] = value?.DeepClone();
        return json;
    }

    private static int RequireInt(JsonObject root, string field, string origin) =>
        root[field] is JsonValue v && v.TryGetValue(out int n) ? n : throw new InvalidDataException($"{origin}: field {field} is missing or not an integer.");

    // Jupyter writes keys sorted (json.dumps sort_keys=True).
    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
