using System.Globalization;
using System.Text.Json.Nodes;
using Dsa.Interactive;

namespace Dsa.Notebooks;

/// <summary>
/// The headless front end's sink: turns a session's outputs into nbformat output objects in the
/// cells, the way Jupyter's nbclient records them. Consecutive stream text of the same name is
/// merged; update_display_data rewrites every earlier output with that display id, in any cell
/// (display ids are notebook-wide; nbformat itself stores no display id); clear_output empties the
/// current cell, immediately or (wait) when the next output arrives. Stream text is stored up to
/// <see cref="StreamOutputLimit"/> per cell; the rest is counted, and one "truncated" line says how
/// much was left out (as Jupyter front ends cap what they keep of a chatty cell). Appending is linear
/// in the text: only the new lines are split, never the text stored before.
/// </summary>
public sealed class NotebookOutputRecorder : IOutputSink
{
    private readonly object gate = new();
    private readonly Dictionary<string, List<JsonObject>> displays = new(StringComparer.Ordinal);
    private JsonArray? outputs;
    private bool clearPending;
    // The stream output that text is being merged into, and its lines (the same JsonArray as its "text").
    private JsonObject? lastStream;
    private JsonArray? lastStreamLines;
    private long storedLines, storedChars, droppedLines, droppedChars;
    private JsonObject? truncationNote;

    public NotebookOutputRecorder(StreamOutputLimit? limit = null) => Limit = limit ?? StreamOutputLimit.Default;

    public StreamOutputLimit Limit { get; }

    /// <summary>Starts recording into <paramref name="cell"/>, whose old outputs are dropped.</summary>
    public void BeginCell(NotebookCell cell)
    {
        lock (gate)
        {
            EndCellLocked();
            cell.Outputs = new JsonArray();
            outputs = cell.Outputs;
            clearPending = false;
            storedLines = storedChars = droppedLines = droppedChars = 0;
        }
    }

    /// <summary>Finishes the current cell: the truncation note, if any, gets its final counts.</summary>
    public void EndCell()
    {
        lock (gate) EndCellLocked();
    }

    private void EndCellLocked()
    {
        if (truncationNote is not null)
            truncationNote["text"] = NotebookJson.ToLines(string.Create(CultureInfo.InvariantCulture,
                $"[output truncated: {droppedLines:N0} more lines ({droppedChars:N0} characters) were not stored; a notebook keeps at most {Limit.Lines:N0} lines or {Limit.Characters:N0} characters of text output per cell]\n"));
        truncationNote = null;
        lastStream = null;
        lastStreamLines = null;
    }

    public void Publish(NotebookOutput output)
    {
        lock (gate)
        {
            var target = outputs ?? throw new InvalidOperationException("No cell is being recorded: call BeginCell first.");
            if (output is ClearOutput clear)
            {
                if (clear.Wait) clearPending = true;
                else Clear(target);
                return;
            }
            if (output is UpdateDisplayDataOutput update)
            {
                // An update never adds an output: it rewrites the displays it names (nbclient does the same).
                if (displays.TryGetValue(update.DisplayId, out var shown))
                    foreach (var json in shown) json["data"] = Data(update.Data);
                return;
            }
            if (clearPending)
            {
                Clear(target);
                clearPending = false;
            }
            if (output is not StreamOutput)
            {
                // A rich output ends the stream output being merged into (nbclient starts a new one after it).
                lastStream = null;
                lastStreamLines = null;
            }
            switch (output)
            {
                case StreamOutput stream:
                    AppendStream(target, stream);
                    break;
                case DisplayDataOutput display:
                    var displayJson = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(display.Data), ["metadata"] = new JsonObject() };
                    target.Add(displayJson);
                    if (display.DisplayId is { } id)
                    {
                        if (!displays.TryGetValue(id, out var list)) displays[id] = list = new List<JsonObject>();
                        list.Add(displayJson);
                    }
                    break;
                case ExecuteResultOutput result:
                    target.Add(new JsonObject
                    {
                        ["output_type"] = "execute_result", ["execution_count"] = result.ExecutionCount,
                        ["data"] = Data(result.Data), ["metadata"] = new JsonObject(),
                    });
                    break;
                case ErrorOutput error:
                    target.Add(new JsonObject
                    {
                        ["output_type"] = "error", ["ename"] = error.Name, ["evalue"] = error.Value,
                        ["traceback"] = new JsonArray(error.Traceback.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
                    });
                    break;
                default:
                    throw new ArgumentException($"Unknown output type {output.GetType().Name}.", nameof(output));
            }
        }
    }

    /// <summary>clear_output: the cell's outputs go, and so does what counted against the cap (Jupyter keeps only what is shown).</summary>
    private void Clear(JsonArray target)
    {
        target.Clear();
        lastStream = null;
        lastStreamLines = null;
        truncationNote = null;
        storedLines = storedChars = droppedLines = droppedChars = 0;
    }

    private void AppendStream(JsonArray target, StreamOutput stream)
    {
        string text = stream.Text;
        if (truncationNote is not null)
        {
            Count(text, out long lines);
            droppedLines += lines;
            droppedChars += text.Length;
            return;
        }
        if (lastStream is null || lastStreamLines is null || (string?)lastStream["name"] != stream.Name
            || target.Count == 0 || !ReferenceEquals(target[^1], lastStream))
        {
            lastStreamLines = new JsonArray();
            lastStream = new JsonObject { ["output_type"] = "stream", ["name"] = stream.Name, ["text"] = lastStreamLines };
            target.Add(lastStream);
        }
        int start = 0;
        while (start < text.Length)
        {
            if (storedLines >= Limit.Lines || storedChars >= Limit.Characters)
            {
                string rest = text[start..];
                Count(rest, out long lines);
                droppedLines += lines;
                droppedChars += rest.Length;
                truncationNote = new JsonObject { ["output_type"] = "stream", ["name"] = "stderr", ["text"] = new JsonArray() };
                target.Add(truncationNote);
                return;
            }
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            string piece = text[start..end];
            // A partial last line (no "\n" yet) is continued by the next write, as nbformat's lines are.
            if (lastStreamLines.Count > 0 && lastStreamLines[^1]!.GetValue<string>() is { } previous && !previous.EndsWith('\n'))
                lastStreamLines[^1] = JsonValue.Create(previous + piece);
            else
            {
                lastStreamLines.Add(JsonValue.Create(piece));
                storedLines++;
            }
            storedChars += piece.Length;
            start = end;
        }
    }

    /// <summary>Lines in <paramref name="text"/>: its newlines, plus one for a partial last line.</summary>
    private static void Count(string text, out long lines)
    {
        lines = text.AsSpan().Count('\n');
        if (text.Length > 0 && text[^1] != '\n') lines++;
    }

    // nbformat mimebundle: text types as lists of lines, binary (base64) and JSON types as one string.
    private static JsonObject Data(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, payload) in bundle)
            data[mime] = mime.StartsWith("text/", StringComparison.Ordinal) ? NotebookJson.ToLines(payload) : JsonValue.Create(payload);
        return data;
    }
}
