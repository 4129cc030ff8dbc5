using System.Text.Json.Nodes;
using Dsa.Interactive;

namespace Dsa.Notebooks;

/// <summary>
/// The headless front end's sink: turns a session's outputs into nbformat output objects in the
/// cells, the way Jupyter's nbclient records them. Consecutive stream text of the same name is
/// merged; update_display_data rewrites every earlier output with that display id, in any cell
/// (display ids are notebook-wide; nbformat itself stores no display id); clear_output empties the
/// current cell, immediately or (wait) when the next output arrives.
/// </summary>
public sealed class NotebookOutputRecorder : IOutputSink
{
    private readonly object gate = new();
    private readonly Dictionary<string, List<JsonObject>> displays = new(StringComparer.Ordinal);
    private JsonArray? outputs;
    private bool clearPending;

    /// <summary>Starts recording into <paramref name="cell"/>, whose old outputs are dropped.</summary>
    public void BeginCell(NotebookCell cell)
    {
        lock (gate)
        {
            cell.Outputs = new JsonArray();
            outputs = cell.Outputs;
            clearPending = false;
        }
    }

    public void Publish(NotebookOutput output)
    {
        lock (gate)
        {
            var target = outputs ?? throw new InvalidOperationException("No cell is being recorded: call BeginCell first.");
            if (output is ClearOutput clear)
            {
                if (clear.Wait) clearPending = true;
                else target.Clear();
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
                target.Clear();
                clearPending = false;
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

    private static void AppendStream(JsonArray target, StreamOutput stream)
    {
        if (target.Count > 0 && target[^1] is JsonObject last
            && (string?)last["output_type"] == "stream" && (string?)last["name"] == stream.Name)
        {
            last["text"] = NotebookJson.ToLines(NotebookJson.FromLines(last["text"], "stream output") + stream.Text);
            return;
        }
        target.Add(new JsonObject { ["output_type"] = "stream", ["name"] = stream.Name, ["text"] = NotebookJson.ToLines(stream.Text) });
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
