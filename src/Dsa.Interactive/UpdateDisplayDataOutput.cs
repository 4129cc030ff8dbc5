namespace Dsa.Interactive;

/// <summary>New content for an earlier display with the same display id (Jupyter `update_display_data`).</summary>
public sealed record UpdateDisplayDataOutput(IReadOnlyDictionary<string, string> Data, string DisplayId) : NotebookOutput;
