using System.Text.Json.Nodes;
using Dsa.Notebooks;
using NJsonSchema;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// Executed notebooks against the official nbformat 4.5 JSON schema. The schema is read from
/// Debian's python3-nbformat package (not copied into the repository); absent, the tests skip.
/// </summary>
public sealed class NbformatSchemaTests(ExecutedNotebookFixture run) : IClassFixture<ExecutedNotebookFixture>
{
    private static readonly string[] SchemaLocations =
    [
        "/usr/lib/python3/dist-packages/nbformat/v4/nbformat.v4.5.schema.json",
        "/usr/share/python3/dist-packages/nbformat/v4/nbformat.v4.5.schema.json",
    ];

    private static JsonSchema RequireSchema()
    {
        string? path = SchemaLocations.FirstOrDefault(File.Exists);
        Skip.If(path is null, "nbformat 4.5 schema not found (apt-get install -y python3-nbformat)");
        // The schema nests shared definitions one level down (#/definitions/misc/source), which
        // NJsonSchema does not resolve; lift them to #/definitions/misc_source, same meaning.
        var schema = JsonNode.Parse(File.ReadAllText(path!))!.AsObject();
        var definitions = schema["definitions"]!.AsObject();
        if (definitions["misc"] is JsonObject misc)
        {
            definitions.Remove("misc");
            foreach (var (name, definition) in misc.ToList())
            {
                misc.Remove(name);
                definitions["misc_" + name] = definition;
            }
        }
        string text = schema.ToJsonString().Replace("#/definitions/misc/", "#/definitions/misc_");
        return JsonSchema.FromJsonAsync(text).GetAwaiter().GetResult();
    }

    [SkippableFact]
    public void ExecutedNotebookIsValidNbformat45()
    {
        var errors = RequireSchema().Validate(run.Json);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())));
    }

    [SkippableFact]
    public void FailedRunIsValidNbformat45()
    {
        var (notebook, _) = NotebookTestKit.Run("var a = 1;", "undefinedName", "a");
        var errors = RequireSchema().Validate(NotebookJson.Serialize(notebook));
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())));
    }

    [SkippableFact]
    public void SchemaRejectsACellWithoutId()
    {
        // Proves the validation can fail: nbformat 4.5 requires cell ids.
        var schema = RequireSchema();
        string json = NotebookJson.Serialize(new NotebookTemplate().Code("1").Build()).Replace("\"id\":", "\"not_id\":");
        Assert.NotEmpty(schema.Validate(json));
    }
}
