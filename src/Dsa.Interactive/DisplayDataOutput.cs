namespace Dsa.Interactive;

/// <summary>
/// A rich value shown with <c>display(...)</c> (Jupyter `display_data`). <see cref="Data"/> maps MIME
/// type to its payload (text, HTML, base64 PNG); <see cref="DisplayId"/> lets a later update replace it.
/// </summary>
public sealed record DisplayDataOutput(IReadOnlyDictionary<string, string> Data, string? DisplayId) : NotebookOutput;
