using System.Text.Json.Nodes;
using Dsa.Interactive;

namespace Dsa.Kernel;

/// <summary>
/// The live kernel's <see cref="IOutputSink"/>: each output of the executing cell becomes an IOPub
/// broadcast with the execute_request as its parent (stream, display_data, update_display_data,
/// execute_result, error, clear_output), display ids in <c>transient</c> as the protocol puts them.
/// It remembers the cell's last error for the execute_reply. Called from any thread (the engine
/// serialises a cell's calls); publishing only enqueues.
/// </summary>
internal sealed class IopubOutputSink(Action<string, JsonObject> publish) : IOutputSink
{
    public ErrorOutput? LastError { get; private set; }

    public void Publish(NotebookOutput output)
    {
        switch (output)
        {
            case StreamOutput stream:
                publish("stream", new JsonObject { ["name"] = stream.Name, ["text"] = stream.Text });
                break;
            case DisplayDataOutput display:
                publish("display_data", new JsonObject
                {
                    ["data"] = Data(display.Data), ["metadata"] = new JsonObject(), ["transient"] = Transient(display.DisplayId),
                });
                break;
            case UpdateDisplayDataOutput update:
                publish("update_display_data", new JsonObject
                {
                    ["data"] = Data(update.Data), ["metadata"] = new JsonObject(), ["transient"] = Transient(update.DisplayId),
                });
                break;
            case ExecuteResultOutput result:
                publish("execute_result", new JsonObject
                {
                    ["execution_count"] = result.ExecutionCount, ["data"] = Data(result.Data), ["metadata"] = new JsonObject(),
                });
                break;
            case ErrorOutput error:
                LastError = error;
                publish("error", ErrorContent(error));
                break;
            case ClearOutput clear:
                publish("clear_output", new JsonObject { ["wait"] = clear.Wait });
                break;
            default:
                throw new ArgumentException($"Unknown output type {output.GetType().Name}.", nameof(output));
        }
    }

    /// <summary>ename / evalue / traceback, as both the error broadcast and an error execute_reply carry them.</summary>
    public static JsonObject ErrorContent(ErrorOutput error) => new()
    {
        ["ename"] = error.Name, ["evalue"] = error.Value,
        ["traceback"] = new JsonArray(error.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };

    private static JsonObject Transient(string? displayId) =>
        displayId is null ? new JsonObject() : new JsonObject { ["display_id"] = displayId };

    // Text and base64 payloads are JSON strings; a JSON MIME type (application/json, *+json) carries
    // the parsed value, as the protocol's mimebundle does.
    private static JsonObject Data(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, payload) in bundle)
            data[mime] = mime.EndsWith("json", StringComparison.Ordinal) ? JsonNode.Parse(payload) : JsonValue.Create(payload);
        return data;
    }
}
